using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Automation.Server.Cli;

/// <summary>Typed option values whose bad input is a parse error naming the option (exit code 2), as a bad setting is.</summary>
internal static class OptionValues
{
    /// <summary>Reads a value with <paramref name="parse"/>; its <see cref="FormatException"/> message becomes the error.</summary>
    public static Func<ArgumentResult, T?> Parsed<T>(Func<string, T> parse) => result =>
    {
        if (result.Tokens is not [var token]) return default;
        try
        {
            return parse(token.Value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            result.AddError($"{(result.Parent as OptionResult)?.Option.Name}: {e.Message}");
            return default;
        }
    };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>: <paramref name="fallback"/> when not given, required without one.</summary>
    public static Option<int> WholeNumber(string name, string description, int min, int max, int? fallback = null)
    {
        var option = new Option<int>(name)
        {
            HelpName = "N",
            Description = $"{description}, {min} to {max}",
            Required = fallback is null,
            CustomParser = Parsed(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new FormatException($"must be a whole number from {min} to {max}, not '{text}'.")),
        };
        if (fallback is { } value) option.DefaultValueFactory = _ => value;
        return option;
    }
}
