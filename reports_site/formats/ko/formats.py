"""Korean date formats that replace Django's where they read wrongly.

Django's Korean DATETIME_FORMAT puts 오전/오후 after the time ("12:11 오전"); council
documents write times on the 24-hour clock, which also avoids "오전 12:11" for 00:11.
"""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
