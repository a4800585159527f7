package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgen.jobs.fs.Csv;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Markdown and CSV escaping, column alignment and the two number formats. */
class TablesTest {

  @Test
  void markdownTableHasHeaderAlignmentAndRowsInOrder() {
    String table = Tables.markdown(List.of("name", "value"), List.of(false, true),
        List.of(List.of("a", "1"), List.of("b", "2")));
    assertEquals("| name | value |\n| --- | ---: |\n| a | 1 |\n| b | 2 |\n", table);
  }

  @Test
  void markdownCellsEscapePipesBackslashesLineBreaksAndHtml() {
    assertEquals("a \\| b", Tables.cell("a | b"));
    assertEquals("C:\\\\dir", Tables.cell("C:\\dir"));
    assertEquals("one two three", Tables.cell("one\ntwo\r\nthree"));
    assertEquals("&lt;script>", Tables.cell("<script>"));
    assertEquals("", Tables.cell(null));
    String table = Tables.markdown(List.of("x"), List.of(false), List.of(List.of("p|q\nr")));
    assertEquals(3, table.lines().count(), table);
    assertEquals("| p\\|q r |", table.lines().toList().get(2));
  }

  @Test
  void markdownRejectsRowsOfTheWrongWidth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tables.markdown(List.of("a", "b"), List.of(false, false), List.of(List.of("only one"))));
    assertEquals("row has 1 cells, header has 2: [only one]", e.getMessage());
  }

  @Test
  void csvQuotesOnlyFieldsThatNeedItAndReadsBack() {
    List<String> fields = List.of("plain", "a,b", "say \"hi\"", "two\nlines", "", "x\ry");
    String line = Tables.csvLine(fields);
    assertEquals("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\"x\ry\"", line);
    assertEquals(List.of(fields), Csv.parse(line));
  }

  @Test
  void numbersForPeopleHaveFourSignificantFigures() {
    assertEquals("123457", Tables.number(123456.7));
    assertEquals("384.0", Tables.number(384));
    assertEquals("12.35", Tables.number(12.3456));
    assertEquals("1.500", Tables.number(1.5));
    assertEquals("0.001235", Tables.number(0.0012345));
    assertEquals("0.000", Tables.number(0));
    assertEquals("-42.00", Tables.number(-42));
    assertEquals("–", Tables.number(Double.NaN));
    assertEquals("1.235e+09", Tables.number(1.2345e9));
  }

  @Test
  void numbersForCsvHaveSevenSignificantFiguresWithoutExponent() {
    assertEquals("123456800", Tables.csvNumber(123456789));
    assertEquals("0.1", Tables.csvNumber(0.1));
    assertEquals("3865.575", Tables.csvNumber(3865.5749));
    assertEquals("0.0000012", Tables.csvNumber(1.2e-6));
    assertEquals("0", Tables.csvNumber(0));
    assertEquals("", Tables.csvNumber(Double.NaN));
    assertEquals("", Tables.csvNumber(Double.POSITIVE_INFINITY));
  }
}
