using System.Text.RegularExpressions;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>
/// What a chart is called: <paramref name="Id"/> prefixes the ids of the SVG's title and description, so it must be
/// unique on the page; <paramref name="Title"/> is shown above the chart and read by screen readers with
/// <paramref name="Description"/>, which says in words what the chart shows.
/// </summary>
public sealed partial record ChartCaption(string Id, string Title, string Description)
{
    /// <summary>Prefix of the element ids: letters, digits, '-' and '_', starting with a letter.</summary>
    public string Id { get; } = IdPattern().IsMatch(Id) ? Id
        : throw new ArgumentException($"Chart id '{Id}' must be letters, digits, '-' or '_', starting with a letter.", nameof(Id));

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex IdPattern();
}
