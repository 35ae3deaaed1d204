"""The expression language (instruments.expressions): values computed by hand, every error with its column,
hostile input, and REDCap's calc syntax translated both ways."""

import random
import string

import pytest

from instruments.expressions import (
    MAX_LENGTH,
    ExpressionError,
    compile_expression,
    evaluate,
    translate_redcap,
)

ITEMS = {"q1", "q2", "q3", "q4", "q5", "weight", "height", "dob", "visit", "name"}


def value(source, values=None, dialect="edc"):
    return evaluate(compile_expression(source, ITEMS, dialect), values or {})


@pytest.mark.parametrize(
    "source, expected",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("7 % 3", 1),
        ("2 ^ 10", 1024),
        ("-2 ^ 2", -4),  # the power binds tighter than the minus
        ("2 ^ 3 ^ 2", 512),  # and is right-associative
        ("2 ^ -1", 0.5),
        ("--3", 3),
        ("10 - 4 - 3", 3),  # left-associative
        (".5 + 1.25", 1.75),
        ("1e3", 1000),
        ("3 > 2", 1),
        ("3 = 3", 1),
        ("3 == 4", 0),
        ("3 <> 4", 1),
        ("3 != 3", 0),
        ("2 <= 2 and 3 >= 4", 0),
        ("2 < 3 or 3 > 4", 1),
        ("not 1 > 2", 1),
        ('"abc" = "abc"', 1),
        ('"abc" < "abd"', 1),
        ('"b"', "b"),
        ("if(2 > 1, 10, 20)", 10),
        ("if(2 < 1, 10, 20)", 20),
        ("round(2.675, 2)", 2.68),  # as written, not as the binary float would round
        ("round(2.5)", 3),
        ("round(-2.5)", -3),  # half away from zero
        ("round(1234.5, -2)", 1200),
        ("rounddown(2.79, 1)", 2.7),
        ("rounddown(-2.79, 1)", -2.7),  # toward zero
        ("roundup(2.71, 1)", 2.8),
        ("roundup(2.01)", 3),
        ("abs(-4.5)", 4.5),
        ("sqrt(16)", 4),
        ("sum(1, 2, 3)", 6),
        ("mean(1, 2, 3, 4)", 2.5),
        ("min(4, 2, 8)", 2),
        ("max(4, 2, 8)", 8),
        ('datediff("2024-01-01", "2024-03-01", "d")', 60),  # 2024 is a leap year: 31 + 29
        ('datediff("2024-03-01", "2024-01-01", "d")', -60),  # signed: the second minus the first
        ('datediff("2024-01-01 08:00", "2024-01-01 10:30", "m")', 150),
        ('datediff("2024-01-01", "2024-01-02", "h")', 24),
        ('datediff("2024-01-01", "2024-01-01 00:00:30", "s")', 30),
        ('round(datediff("2000-01-01", "2024-01-01", "y"), 2)', 24),  # 8766 days / 365.2425
        ('round(datediff("2024-01-01", "2024-04-01", "M"), 2)', 2.99),  # 91 days / 30.44
        ('date("2024-02-29")', "2024-02-29"),
        ('date("2024-02-29") < date("2024-03-01")', 1),
        ("TRUE and true", 1),
        ("IF(1, 2, 3)", 2),  # function names and keywords in any case, as REDCap writes them
    ],
)
def test_it_computes_hand_checked_values(source, expected):
    result = value(source)
    assert result == expected and type(result) is type(expected)


def test_items_are_read_by_name():
    bmi = "round(weight / (height / 100) ^ 2, 1)"
    assert value(bmi, {"weight": 70, "height": 175}) == 22.9  # 70 / 1.75^2 = 22.857...
    assert value("q1 + q2", {"q1": 1, "q2": 2.5}) == 3.5
    assert value("name", {"name": "Ann"}) == "Ann"
    assert value("datediff(dob, visit, 'd')", {"dob": "2024-01-01", "visit": "2024-01-31"}) == 30


@pytest.mark.parametrize(
    "source",
    ["q1 + q2", "q1 * 2", "-q1", "abs(q1)", "round(q1, 1)", "q1 > 2", "if(q1 > 2, 1, 0)", "datediff(dob, visit, 'd')"],
)
def test_a_missing_answer_propagates_as_no_value(source):
    assert value(source, {"q2": 3, "visit": "2024-01-01"}) is None


def test_aggregates_skip_missing_answers_and_need_their_minimum():
    answers = {"q1": 1, "q2": 2, "q3": None, "q4": 4}  # q5 is not in the dict at all
    assert value("sum(q1, q2, q3, q4, q5)", answers) == 7
    assert value("mean(q1, q2, q3, q4, q5)", answers) == pytest.approx(7 / 3)
    assert value("mean(q1, q2, q3, q4, q5; min=3)", answers) == pytest.approx(7 / 3)
    assert value("mean(q1, q2, q3, q4, q5; min=4)", answers) is None  # only 3 answered
    assert value("max(q1, q2, q3, q4, q5; min=3)", answers) == 4
    assert value("min(q3, q5)", answers) is None  # none answered: at least one is needed by default
    assert value("sum(q1, 'x')", answers) == 1  # text is not a number: skipped like a blank


def test_and_or_are_three_valued():
    assert value("q1 > 1 and 1 > 2") == 0  # false decides an and, whatever q1 is
    assert value("q1 > 1 or 2 > 1") == 1
    assert value("q1 > 1 and 2 > 1") is None
    assert value("not q1") is None


def test_redcap_blank_tests_ask_whether_an_item_is_answered():
    assert value('q1 = ""') == 1
    assert value('q1 <> ""', {"q1": 0}) == 1
    assert value('if(q1 = "", 0, q1)', {"q1": 3}) == 3


@pytest.mark.parametrize(
    "source",
    [
        "1 / 0",
        "5 % 0",
        "q1 / q2",
        "sqrt(-1)",
        "(-8) ^ 0.5",
        "10 ^ 400",
        "1e299 * 1e299",
        "'abc' + 1",
        "round(1, 0.5)",
        "round(1e299, 15)",
        "datediff('2024-02-30', '2024-03-01', 'd')",
        "datediff('2024-01', '2024-03-01', 'd')",
        '""',
    ],
)
def test_what_cannot_be_computed_is_no_value_not_an_exception(source):
    assert value(source, {"q1": 1, "q2": 0}) is None


def test_numbers_in_text_compare_as_numbers_as_in_redcap():
    assert value("q1 = '1'", {"q1": 1}) == 1
    assert value("q1 + '2'", {"q1": 1}) == 3
    assert value("'10' > '9'") == 0  # two texts compare as text
    assert value("q1 = 'yes'", {"q1": 1}) == 0


def test_a_multiple_choice_list_is_no_value():
    assert value("q1 + 1", {"q1": [1, 2]}) is None


def error(source, dialect="edc", items=ITEMS):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, items, dialect)
    return caught.value.column, caught.value.message


@pytest.mark.parametrize(
    "source, column, message",
    [
        ("q1 + q9", 6, 'unknown item "q9"'),
        ("foo(q1)", 1, 'unknown function "foo"'),
        ("1 + eval(q1)", 5, 'unknown function "eval"'),
        ("if(q1, 2)", 1, '"if" takes 3 arguments, not 2'),
        ("sqrt(1, 2)", 1, '"sqrt" takes 1 argument, not 2'),
        ("round()", 1, '"round" takes 1 to 2 arguments, not 0'),
        ("mean()", 1, '"mean" takes at least 1 argument, not 0'),
        ("q1 +", 5, "expected a value, found the end of the expression"),
        ("(q1 + 1", 8, "expected a closing ), found the end of the expression"),
        ("q1 q2", 4, 'unexpected "q2"'),
        ("round(q1 q2)", 10, 'expected a closing ) or a comma, found "q2"'),
        ("q1 < q2 < q3", 9, "comparisons cannot be chained: join them with and"),
        ("'abc", 1, "unterminated text: a closing ' is missing"),
        ("q1 @ 2", 4, "unexpected character '@'"),
        ("q1 + ２", 6, "unexpected character '２'"),  # a full-width digit is not a number
        ("", 1, "the expression is empty"),
        ("mean(q1, q2; min=3)", 1, "min=3 is more than the 2 values given"),
        ("mean(q1, q2; min=0)", 18, "min= must be a whole number of at least 1"),
        ("mean(q1, q2; max=1)", 14, "expected min=N after ;"),
        ("round(q1; min=1)", 9, "only sum, mean, min and max take ; min=N"),
        ("datediff(dob, visit, 'w')", 22, 'the unit of datediff must be one of "y", "M", "d", "h", "m", "s"'),
        (
            "datediff(dob, 'today', 'y')",
            15,
            '"today" is not allowed: a stored score must not change with the day it is computed',
        ),
        ("and", 1, "and cannot start a value here"),
    ],
)
def test_every_mistake_is_an_error_with_its_column(source, column, message):
    assert error(source) == (column, message)


@pytest.mark.parametrize(
    "source, column, message",
    [
        ("[q1] + [q9]", 8, 'unknown item "q9"'),
        ("[q1] + q2", 8, "in REDCap syntax an item is written [q2]"),
        (
            "[baseline_arm_1][q1] + 1",
            1,
            "[baseline_arm_1][...]: cross-event and repeating-instance references are not supported; an expression reads only the items of its own form",
        ),
        (
            "[q1][2]",
            1,
            "[q1][...]: cross-event and repeating-instance references are not supported; an expression reads only the items of its own form",
        ),
        (
            "1 + [event-name]",
            5,
            "[event-name] is a REDCap smart variable or not a field name: smart variables are not supported",
        ),
        (
            "[survey-date-completed:q]",
            1,
            "[survey-date-completed:q] is a REDCap smart variable or not a field name: smart variables are not supported",
        ),
        ("[q1(2)] = 1", 1, "[q1(2)]: checkbox option references are not supported"),
        ("[q1", 1, "a closing ] is missing"),
        ('datediff([dob], [visit], "d", "ydm")', 31, 'expected a date format ("ymd", "mdy", "dmy") or true/false'),
        ("mean([q1]; min=1)", 10, "only sum, mean, min and max take ; min=N"),
        ("exponential([q1])", 1, 'unknown function "exponential"'),
    ],
)
def test_redcap_syntax_errors_point_at_the_column_in_the_redcap_text(source, column, message):
    assert error(source, "redcap") == (column, message)


def test_the_messages_have_a_msgid_and_params_for_translation():
    with pytest.raises(ExpressionError) as caught:
        compile_expression("q9", ITEMS)
    assert caught.value.msgid == 'unknown item "%(name)s"' and caught.value.params == {"name": "q9"}
    assert str(caught.value) == 'column 1: unknown item "q9"'


def test_deep_nesting_is_refused_not_a_crash():
    assert error("(" * 41 + "1" + ")" * 41)[1] == "nested too deeply (more than 40 levels)"
    assert error("-" * 500 + "1")[1] == "nested too deeply (more than 40 levels)"
    assert error("not " * 100 + "1")[1] == "nested too deeply (more than 40 levels)"
    assert error("if(" * 50 + "1" + ", 1, 1)" * 50)[1] == "nested too deeply (more than 40 levels)"
    assert value("(" * 39 + "1" + ")" * 39) == 1


def test_long_chains_and_long_input_are_refused():
    assert error("+".join(["1"] * 200))[1] == "the expression is too long a chain (more than 120 levels)"
    assert value("+".join(["1"] * 100)) == 100
    assert error("1" + " " * MAX_LENGTH) == (MAX_LENGTH + 1, f"the expression is longer than {MAX_LENGTH} characters")
    assert error("9" * 400) == (1, "the number 99999999999999999999 is too large")


def test_huge_values_give_no_value():
    assert value("99999999 ^ 99999999") is None
    assert value("1e299 * 10 * 10") is None
    assert value("round(2 ^ 60)") == 2**60 and value("2 ^ 53 + 0.5") == 2.0**53  # large but finite


def test_random_input_only_ever_raises_expression_error():
    alphabet = string.printable + "[]()^%<>=!'\"２é中"
    generator = random.Random(12)
    for _ in range(3000):
        source = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 40)))
        for dialect in ("edc", "redcap"):
            try:
                expression = compile_expression(source, ITEMS, dialect)
            except ExpressionError:
                continue
            evaluate(expression, {"q1": 1, "q2": "x", "dob": "2024-01-01"})  # must not raise


def test_no_python_is_reachable():
    for source in ("__import__('os')", "q1.__class__", "().__class__", "[x for x in q1]", "lambda: 1"):
        with pytest.raises(ExpressionError):
            compile_expression(source, ITEMS)


RECOVERY = (
    'if(([q1] <> "") + ([q2] <> "") + ([q3] <> "") + ([q4] <> "") + ([q5] <> "") >= 4, '
    'mean([q1], [q2], [q3], [q4], [q5]), "")'
)


def test_redcap_calc_syntax_is_translated_and_computes_as_in_redcap():
    translated = translate_redcap(RECOVERY, ITEMS)
    assert translated == (
        'if((q1 != "") + (q2 != "") + (q3 != "") + (q4 != "") + (q5 != "") >= 4, mean(q1, q2, q3, q4, q5), "")'
    )
    four = {"q1": 1, "q2": 2, "q3": 3, "q4": 2}
    assert value(RECOVERY, four, "redcap") == value(translated, four) == 2
    assert value(RECOVERY, {"q1": 1, "q2": 2, "q3": 3}, "redcap") is None  # three answered: blank, as REDCap
    assert translate_redcap("max([q1],[q2],[q3])", ITEMS) == "max(q1, q2, q3)"
    assert (
        translate_redcap("rounddown([weight]/([height]/100)^2, 1)", ITEMS)
        == "rounddown(weight / (height / 100) ^ 2, 1)"
    )
    assert translate_redcap("mod([q1], 2) = 1 AND [q2] <> 3", ITEMS) == "q1 % 2 == 1 and q2 != 3"


def test_redcap_datediff_is_absolute_unless_signed():
    assert translate_redcap('datediff([dob],[visit],"y","ymd")', ITEMS) == 'abs(datediff(dob, visit, "y"))'
    assert translate_redcap('datediff([dob],[visit],"d","dmy",true)', ITEMS) == 'datediff(dob, visit, "d")'
    assert translate_redcap("datediff([dob],[visit],'d',true)", ITEMS) == 'datediff(dob, visit, "d")'
    backwards = {"dob": "2024-01-31", "visit": "2024-01-01"}
    assert value('datediff([dob],[visit],"d","ymd")', backwards, "redcap") == 30
    assert value('datediff([dob],[visit],"d","ymd",true)', backwards, "redcap") == -30


@pytest.mark.parametrize(
    "source",
    [
        "round(mean(q1, q2, q3; min=2), 1)",
        "if(q1 > 2 and not q2 = 1, sum(q1, q2), -q3 ^ 2)",
        'abs(datediff(dob, visit, "d")) / 7 % 3',
        "(q1 + q2) * (q3 - q4) / -(q5 - 1)",
        "2 ^ (3 ^ 2) + (2 ^ 3) ^ 2",
        'date("2024-01-01") < visit or name = \'x"y\'',
    ],
)
def test_an_expression_survives_redcap_syntax_and_back(source):
    ours = compile_expression(source, ITEMS)
    back = compile_expression(ours.to_redcap(), ITEMS, "redcap")
    again = compile_expression(back.to_edc(), ITEMS)
    cases = [
        {},
        {"q1": 3, "q2": 1, "q3": 2, "q4": 4, "q5": 2},
        {"q1": 1, "q3": 5, "dob": "2024-01-01", "visit": "2024-02-11"},
    ]
    for values in cases:
        assert evaluate(back, values) == evaluate(ours, values) == evaluate(again, values)
    assert compile_expression(ours.to_edc(), ITEMS) == ours  # the edc text reads back to the same tree
