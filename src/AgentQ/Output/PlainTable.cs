using System.Text;

namespace AgentQ.Output;

/// <summary>Column-aligned text without colours or borders: what redirected output and grep want.</summary>
public static class PlainTable
{
    public static string Render(TableData table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var widths = table.Headers.Select(h => h.Length).ToArray();
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], Clean(row[i]).Length);
            }
        }

        var text = new StringBuilder();
        if (table.Title is { } title)
        {
            text.Append(title).Append('\n');
        }

        AppendRow(text, table.Headers, widths);
        foreach (var row in table.Rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? Clean(cells[i]) : string.Empty;
            line.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    /// <summary>A cell is one line: newlines and tabs would break the columns.</summary>
    private static string Clean(string? cell) =>
        string.IsNullOrEmpty(cell) ? "-" : cell.ReplaceLineEndings(" ").Replace('\t', ' ');
}
