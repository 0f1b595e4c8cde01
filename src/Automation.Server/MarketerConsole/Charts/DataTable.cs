using System.Globalization;
using System.Text;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>The numbers behind a chart, written as a table under a Data disclosure, for screen readers and copying.</summary>
public sealed class DataTable(IReadOnlyList<string> headers)
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; } = headers;

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params IReadOnlyList<string> cells)
    {
        if (cells.Count != Headers.Count) throw new ArgumentException($"A row of {cells.Count} cells in a table of {Headers.Count} columns.", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>Appends <c>&lt;details&gt;&lt;summary&gt;Data&lt;/summary&gt;&lt;table&gt;…</c>; the first column heads its row.</summary>
    public void WriteTo(StringBuilder html)
    {
        html.Append("<details><summary>Data</summary><table><thead><tr>");
        foreach (var header in Headers) html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{Encode(header)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{Encode(row[0])}</th>");
            foreach (var cell in row.Skip(1)) html.Append(CultureInfo.InvariantCulture, $"<td>{Encode(cell)}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table></details>");
    }
}
