using System.Globalization;
using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>A labelled row of shares 0..1; a null or non-finite cell is left blank (not observed yet).</summary>
public sealed record HeatmapRow(string Label, IReadOnlyList<double?> Values);

/// <summary>
/// Rows × columns of shares, each cell shaded from light to dark blue by its value and its percentage written in
/// it, with a legend of the shades: cohort month × months since the first order.
/// </summary>
public static class Heatmap
{
    private const double Width = 640, Left = 72, Right = 630, Top = 44, RowHeight = 22;
    private static readonly (int R, int G, int B) Light = (0xf1, 0xf5, 0xfb), Dark = (0x08, 0x30, 0x6b);

    /// <summary>The heatmap of <paramref name="rows"/> under <paramref name="columns"/> headers; values are clamped to 0..1.</summary>
    public static IHtmlContent Render(ChartCaption caption, IReadOnlyList<string> columns, IReadOnlyList<HeatmapRow> rows, string rowHeader = "Row")
    {
        foreach (var row in rows)
            if (row.Values.Count > columns.Count) throw new ArgumentException($"Row '{row.Label}' has {row.Values.Count} values for {columns.Count} columns.", nameof(rows));
        var cells = rows.Select(r => r.Values.Select(v => ChartNumbers.Finite(v) is { } x ? Math.Clamp(x, 0, 1) : (double?)null).ToList()).ToList();
        if (columns.Count == 0 || cells.All(r => r.All(v => v is null))) return ChartDocument.Empty(caption);

        var svg = new SvgWriter();
        for (var k = 0; k <= 4; k++)
        {
            svg.Rect(Left + k * 56, 6, 56, 14, Shade(k / 4.0));
            svg.Text(Left + k * 56 + 28, 32, ChartNumbers.Format(k / 4.0, ValueFormat.Percent), anchor: "middle", size: 10);
        }
        var cellWidth = (Right - Left) / columns.Count;
        for (var c = 0; c < columns.Count; c++) svg.Text(Left + cellWidth * (c + 0.5), Top - 2 + RowHeight - 8, columns[c], anchor: "middle", size: 10);
        var table = new DataTable([rowHeader, .. columns]);
        for (var r = 0; r < rows.Count; r++)
        {
            var y = Top + RowHeight * (r + 1);
            svg.Text(Left - 6, y + 15, ValueAxis.Shorten(rows[r].Label, 10), anchor: "end", size: 11);
            for (var c = 0; c < cells[r].Count; c++)
            {
                if (cells[r][c] is not { } value) continue;
                var text = ChartNumbers.Format(value, ValueFormat.Percent);
                svg.Rect(Left + cellWidth * c + 1, y + 1, cellWidth - 2, RowHeight - 2, Shade(value), $"{rows[r].Label}, {columns[c]}: {text}");
                svg.Text(Left + cellWidth * (c + 0.5), y + 15, text, anchor: "middle", fill: value > 0.45 ? "#ffffff" : Ink, size: cellWidth < 40 ? 8 : 10);
            }
            table.Add([rows[r].Label, .. Enumerable.Range(0, columns.Count).Select(c => ChartNumbers.Format(c < cells[r].Count ? cells[r][c] : null, ValueFormat.Percent))]);
        }
        return ChartDocument.Compose(caption, Width, Top + RowHeight * (rows.Count + 1) + 8, svg, table);
    }

    /// <summary>The fill of a share: a straight blend from the light to the dark end.</summary>
    public static string Shade(double value)
    {
        int Blend(int from, int to) => (int)Math.Round(from + (to - from) * value);
        return string.Create(CultureInfo.InvariantCulture, $"#{Blend(Light.R, Dark.R):x2}{Blend(Light.G, Dark.G):x2}{Blend(Light.B, Dark.B):x2}");
    }
}
