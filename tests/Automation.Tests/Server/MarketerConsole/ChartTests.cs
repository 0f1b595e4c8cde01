using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Html;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The chart renderers: every output parsed as XML and its geometry checked against the data.</summary>
public sealed partial class ChartTests
{
    private static readonly ChartCaption Caption = new("test-chart", "Test chart", "What the test chart shows.");

    private static string Html(IHtmlContent content)
    {
        using var writer = new StringWriter();
        content.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return writer.ToString();
    }

    // Well-formed or this throws: the figure, its SVG and its table must all parse as XML.
    private static XElement Parse(IHtmlContent content) => XElement.Parse(Html(content));

    private static IEnumerable<XElement> Svg(XElement figure, string name) => figure.Descendants().Where(e => e.Name.LocalName == name && e.Ancestors().Any(a => a.Name.LocalName == "svg"));

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    // Marks drawn for data carry a tooltip; grid, legend and axes do not.
    private static List<XElement> Marks(XElement figure, string name) => [.. Svg(figure, name).Where(e => e.Elements().Any(c => c.Name.LocalName == "title"))];

    /// <summary>Each text's drawn extent, estimated as the writer estimates it: (left, right, baseline).</summary>
    private static List<(double Left, double Right, double Y, string Text)> TextExtents(XElement figure) =>
    [
        .. Svg(figure, "text").Select(t =>
        {
            var x = Number(t, "x");
            var width = SvgWriter.TextWidth(t.Value, Number(t, "font-size"));
            var left = t.Attribute("text-anchor")!.Value switch { "end" => x - width, "middle" => x - width / 2, _ => x };
            return (left, left + width, Number(t, "y"), t.Value);
        }),
    ];

    [Test]
    public void No_text_reaches_past_either_edge_of_the_canvas()
    {
        var figures = new[]
        {
            Parse(BarChart.Render(Caption, [.. Enumerable.Range(0, 3).Select(i => new Bar($"bucket {i}", 1_234_567.0 * (i + 1)))], ValueFormat.Count)),
            Parse(IntervalPlot.Render(Caption, [new IntervalRow("journey · step · variant with a long name", 0.1234, -0.98765, 12.3456)], ValueFormat.Percent)),
            Parse(LineChart.Render(Caption, [.. Enumerable.Range(0, 12).Select(i => $"2026-{i + 1:00} cohort")],
                [new LineSeries("Repurchase rate of the tier with the longest name", [.. Enumerable.Range(0, 12).Select(i => new LinePoint(i * 0.1))])], ValueFormat.Percent)),
        };
        foreach (var figure in figures)
            TextExtents(figure).Should().OnlyContain(e => e.Left >= 0 && e.Right <= SvgWriter.CanvasWidth, string.Join("; ", TextExtents(figure)));
    }

    [Test]
    public void A_histogram_of_many_ranges_writes_labels_that_never_run_together()
    {
        var bars = Enumerable.Range(0, 16).Select(i => new Bar($"{i * 15}–{(i + 1) * 15} days", i + 1)).ToList();
        var labels = TextExtents(Parse(BarChart.Render(Caption, bars, ValueFormat.Count))).Where(e => e.Text.Contains("days", StringComparison.Ordinal))
            .OrderBy(e => e.Left).ToList();

        labels.Should().HaveCountGreaterThan(1).And.HaveCountLessThan(bars.Count, "some labels give way so the rest have room");
        labels.Zip(labels.Skip(1)).Should().OnlyContain(pair => pair.First.Right < pair.Second.Left, string.Join("; ", labels));
    }

    [Test]
    public void Svg_is_named_described_and_scales_to_the_page()
    {
        var figure = Parse(BarChart.Render(Caption, [new Bar("a", 1)], ValueFormat.Count));
        var svg = figure.Elements().Single(e => e.Name.LocalName == "svg");
        svg.Attribute("role")!.Value.Should().Be("img");
        svg.Attribute("width")!.Value.Should().Be("100%");
        svg.Attribute("viewBox")!.Value.Should().MatchRegex(@"^0 0 \d+(\.\d+)? \d+(\.\d+)?$");
        var ids = svg.Attribute("aria-labelledby")!.Value.Split(' ');
        svg.Elements().Where(e => ids.Contains(e.Attribute("id")?.Value)).Select(e => (e.Name.LocalName, e.Value))
            .Should().Equal(("title", "Test chart"), ("desc", "What the test chart shows."));
        figure.Element("details")!.Element("summary")!.Value.Should().Be("Data");
    }

    [Test]
    public void Bar_heights_are_proportional_to_values_and_every_value_is_written()
    {
        var figure = Parse(BarChart.Render(Caption, [new Bar("one", 10), new Bar("two", 20), new Bar("four", 40)], ValueFormat.Count));
        var heights = Marks(figure, "rect").Select(r => Number(r, "height")).ToList();
        heights.Should().HaveCount(3);
        heights[1].Should().BeApproximately(2 * heights[0], 0.02);
        heights[2].Should().BeApproximately(4 * heights[0], 0.02);
        Svg(figure, "text").Select(t => t.Value).Should().Contain(["10", "20", "40", "one", "two", "four"]);
        figure.Descendants("td").Select(td => td.Value).Should().Equal("10", "20", "40");
    }

    [Test]
    public void Heatmap_has_a_cell_per_value_darker_as_the_value_rises_and_a_legend()
    {
        var figure = Parse(Heatmap.Render(Caption, ["0", "1", "2"],
            [new HeatmapRow("2026-01", [1.0, 0.3, 0.1]), new HeatmapRow("2026-02", [1.0, 0.6, null])]));
        var cells = Marks(figure, "rect");
        cells.Should().HaveCount(5);
        double[] shares = [0.1, 0.3, 0.6, 1.0];
        var byValue = shares.Select(v => Brightness(Heatmap.Shade(v))).ToList();
        byValue.Should().BeInDescendingOrder();
        cells.Select(c => c.Attribute("fill")!.Value).Should().Equal(
            Heatmap.Shade(1.0), Heatmap.Shade(0.3), Heatmap.Shade(0.1), Heatmap.Shade(1.0), Heatmap.Shade(0.6));
        Svg(figure, "text").Select(t => t.Value).Should().Contain(["100%", "30%", "10%", "60%", "0%", "50%"]);
        figure.Descendants("tr").Last().Elements().Select(e => e.Value).Should().Equal("2026-02", "100%", "60%", "–");
    }

    private static int Brightness(string hex) => Convert.ToInt32(hex[1..3], 16) + Convert.ToInt32(hex[3..5], 16) + Convert.ToInt32(hex[5..7], 16);

    [Test]
    public void Interval_whiskers_span_low_to_high_around_the_estimate_against_a_zero_line()
    {
        var figure = Parse(IntervalPlot.Render(Caption,
            [new IntervalRow("a", 0.10, -0.02, 0.22), new IntervalRow("b", 0.05, 0.01, 0.09), new IntervalRow("c", null, null, null, "no holdout")],
            ValueFormat.PercentagePoints));
        var points = Marks(figure, "circle");
        points.Should().HaveCount(2);
        var lines = Svg(figure, "line").ToList();
        var zero = lines.Single(l => l.Attribute("stroke-dasharray") is not null);
        var zeroX = Number(zero, "x1");
        foreach (var (point, (estimate, low, high)) in points.Zip(new[] { (0.10, -0.02, 0.22), (0.05, 0.01, 0.09) }))
        {
            var y = Number(point, "cy");
            var whisker = lines.Single(l => Number(l, "y1") == y && Number(l, "y2") == y && l.Attribute("stroke-dasharray") is null);
            var (x1, x2, cx) = (Number(whisker, "x1"), Number(whisker, "x2"), Number(point, "cx"));
            x1.Should().BeLessThan(cx).And.Subject.Should().BeLessThan(x2);
            // Same scale on both sides of the estimate and from zero: pixel distances in the ratio of the data's.
            ((cx - x1) / (x2 - x1)).Should().BeApproximately((estimate - low) / (high - low), 0.01);
            ((cx - zeroX) / (x2 - x1)).Should().BeApproximately(estimate / (high - low), 0.01);
        }
        Svg(figure, "text").Select(t => t.Value).Should().Contain(["+10.0 pp [−2.0 pp to +22.0 pp]", "no holdout"]);
    }

    [Test]
    public void Funnel_widths_follow_the_counts_with_the_share_kept_from_the_first_stage()
    {
        var figure = Parse(FunnelChart.Render(Caption, [
            new FunnelSeries("A", [new FunnelStage("entered", 200), new FunnelStage("sent", 150), new FunnelStage("converted", 30)]),
            new FunnelSeries("B", [new FunnelStage("entered", 100), new FunnelStage("sent", 100), new FunnelStage("converted", 0)]),
        ]));
        var widths = Marks(figure, "rect").Select(r => Number(r, "width")).ToList();
        var unit = widths[0] / 200;
        widths.Should().Equal([200 * unit, 150 * unit, 30 * unit, 100 * unit, 100 * unit, 0], (a, b) => Math.Abs(a - b) < 0.02);
        Svg(figure, "text").Select(t => t.Value).Should().Contain(["150 (75%)", "30 (15%)", "100 (100%)", "0 (0%)", "A", "B"]);
    }

    [Test]
    public void Line_points_and_band_follow_the_values_and_a_missing_value_breaks_the_line()
    {
        var figure = Parse(LineChart.Render(Caption, ["2026-01", "2026-02", "2026-03", "2026-04"],
            [new LineSeries("rate", [new(0.2, 0.1, 0.3), new(0.4, 0.3, 0.5), new(null), new(0.3, 0.2, 0.4)])], ValueFormat.Percent));
        var points = Marks(figure, "circle");
        points.Should().HaveCount(3);
        var ys = points.Select(p => Number(p, "cy")).ToList();
        // Higher values sit higher (smaller y), evenly: 0.2 → 0.4 is twice the rise of 0.2 → 0.3.
        (ys[0] - ys[1]).Should().BeApproximately(2 * (ys[0] - ys[2]), 0.02);
        Svg(figure, "polyline").Should().HaveCount(2);
        Svg(figure, "polygon").Should().HaveCount(2);
        Svg(figure, "text").Select(t => t.Value).Should().Contain(["20%", "40%", "30%"]);
        figure.Descendants("tr").ElementAt(1).Elements().Select(e => e.Value).Should().Equal("2026-01", "20%", "10% to 30%");
    }

    [Test]
    public void Hostile_labels_come_out_as_inert_text()
    {
        const string hostile = "<script>alert('x')</script>&\"";
        var caption = new ChartCaption("hostile", hostile, hostile);
        IHtmlContent[] outputs = [
            BarChart.Render(caption, [new Bar(hostile, 1)], ValueFormat.Count),
            Heatmap.Render(caption, [hostile], [new HeatmapRow(hostile, [0.5])]),
            IntervalPlot.Render(caption, [new IntervalRow(hostile, 0.1, 0, 0.2, hostile)], ValueFormat.Percent),
            FunnelChart.Render(caption, [new FunnelSeries(hostile, [new FunnelStage(hostile, 3)])]),
            LineChart.Render(caption, [hostile], [new LineSeries(hostile, [new(0.5)])], ValueFormat.Percent),
        ];
        foreach (var output in outputs)
        {
            Html(output).Should().NotContain("<script");
            var figure = Parse(output);
            figure.DescendantsAndSelf().Should().NotContain(e => e.Name.LocalName == "script");
            figure.Descendants().Where(e => !e.HasElements).Select(e => e.Value).Should().Contain(hostile);
        }
        Parse(ChartDocument.Empty(caption)).Element("figcaption")!.Value.Should().Be(hostile);
        FluentActions.Invoking(() => new ChartCaption("x\" onload=\"alert(1)", "t", "d")).Should().Throw<ArgumentException>().WithMessage("*Chart id*");
    }

    [Test]
    public void Empty_input_says_there_is_no_data()
    {
        IHtmlContent[] outputs = [
            BarChart.Render(Caption, [], ValueFormat.Count),
            Heatmap.Render(Caption, [], []),
            IntervalPlot.Render(Caption, [], ValueFormat.Percent),
            FunnelChart.Render(Caption, []),
            LineChart.Render(Caption, [], [], ValueFormat.Percent),
        ];
        foreach (var output in outputs)
        {
            var figure = Parse(output);
            figure.Element("p")!.Value.Should().Be("No data for this period");
            figure.Descendants().Should().NotContain(e => e.Name.LocalName == "svg");
        }
    }

    [Test]
    public void Nan_and_infinite_values_are_shown_as_missing_and_never_reach_the_svg()
    {
        IHtmlContent[] outputs = [
            BarChart.Render(Caption, [new Bar("a", double.NaN), new Bar("b", 2), new Bar("c", double.PositiveInfinity)], ValueFormat.Number),
            Heatmap.Render(Caption, ["0", "1"], [new HeatmapRow("r", [double.NaN, 0.4])]),
            IntervalPlot.Render(Caption, [new IntervalRow("a", double.NaN, 0, 1), new IntervalRow("b", 0.1, 0, double.NegativeInfinity), new IntervalRow("c", 0.1, 0, 0.2)], ValueFormat.Percent),
            LineChart.Render(Caption, ["a", "b"], [new LineSeries("s", [new(double.NaN), new(0.5, double.NaN, 0.7)])], ValueFormat.Percent),
        ];
        foreach (var output in outputs)
        {
            var html = Html(output);
            html.Should().NotContainAny("NaN", "Infinity", "∞");
            Parse(output).Descendants().Should().Contain(e => e.Name.LocalName == "svg");
        }
        Parse(BarChart.Render(Caption, [new Bar("a", double.NaN)], ValueFormat.Number)).Element("p")!.Value.Should().Be("No data for this period");
    }

    [Test]
    public void Numbers_are_invariant_whatever_the_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var figure = Parse(LineChart.Render(Caption, ["a", "b", "c"], [new LineSeries("s", [new(0.5, 0.25, 0.75), new(0.125), new(1234.5)])], ValueFormat.Number));
            var attributes = figure.DescendantsAndSelf().Where(e => e.Ancestors().Any(a => a.Name.LocalName == "svg"))
                .SelectMany(e => e.Attributes()).Where(a => a.Name.LocalName is "x" or "y" or "x1" or "x2" or "y1" or "y2" or "cx" or "cy" or "r" or "width" or "height" or "points")
                .Select(a => a.Value).ToList();
            attributes.Should().NotBeEmpty().And.OnlyContain(v => CoordinatePattern().IsMatch(v));
            attributes.Should().Contain(v => v.Contains('.'));
            Svg(figure, "text").Select(t => t.Value).Should().Contain(["0.5", "0.13", "1,234.5"]);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?([ ,]-?\d+(\.\d+)?)*$")]
    private static partial Regex CoordinatePattern();

    [TestCase(0, 0.87, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [TestCase(3, 97, new double[] { 0, 20, 40, 60, 80, 100 })]
    [TestCase(-0.03, 0.12, new[] { -0.05, 0, 0.05, 0.1, 0.15 })]
    [TestCase(5, 5, new double[] { 0, 1, 2, 3, 4, 5 })]
    [TestCase(0, 0, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    public void Axis_ticks_step_by_one_two_or_five(double low, double high, double[] expected) =>
        AxisTicks.Covering(low, high).Ticks.Should().Equal(expected);

    [Test]
    public void Percentages_and_points_are_written_as_such() =>
        new[] { ChartNumbers.Format(0.4523, ValueFormat.Percent), ChartNumbers.Format(-0.031, ValueFormat.PercentagePoints), ChartNumbers.Format(1234567, ValueFormat.Count), ChartNumbers.Format(null, ValueFormat.Number) }
            .Should().Equal("45.2%", "−3.1 pp", "1,234,567", "–");
}
