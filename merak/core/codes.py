"""Reference code lists the API validates against: ISO 3166-1 alpha-2 and ISO 4217."""

from __future__ import annotations

import re

# ISO 3166-1 alpha-2, the 249 officially assigned codes.
COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# ISO 4217 alphabetic codes of currencies in circulation (funds and metals excluded).
CURRENCY_CODES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
    TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)

_HS_CODE = re.compile(r"^[0-9]{6,10}$")
_CONTAINER_ID = re.compile(r"^[A-Z]{3}[UJZR][0-9]{7}$")


def is_country(code: str) -> bool:
    return code in COUNTRY_CODES


def is_currency(code: str) -> bool:
    return code in CURRENCY_CODES


def is_hs_code(code: str) -> bool:
    """6 to 10 digits: the HS subheading, then national subdivisions."""
    return bool(_HS_CODE.match(code))


def container_check_digit(owner_serial: str) -> int:
    """ISO 6346 check digit of the first 10 characters of a container id."""
    total = 0
    for position, char in enumerate(owner_serial):
        if char.isdigit():
            value = int(char)
        else:
            # Letters count from 10 (A), skipping multiples of 11.
            value = 10 + ord(char) - ord("A")
            value += (value - 1) // 10
        total += value * (1 << position)
    return total % 11 % 10


def is_container_id(code: str) -> bool:
    """An ISO 6346 container id with a correct check digit, e.g. ``CSQU3054383``."""
    return bool(_CONTAINER_ID.match(code)) and container_check_digit(code[:10]) == int(code[10])
