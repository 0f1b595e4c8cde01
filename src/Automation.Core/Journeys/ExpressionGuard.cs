using System.Text.RegularExpressions;

namespace Automation.Core.Journeys;

/// <summary>
/// Rejects expressions that reach outside the facts a journey may see. RulesEngine already hides types it does not
/// know, but reflection properties (<c>x.GetType().Assembly</c>) still evaluate, and clock or random reads would make
/// the simulator disagree with the server. String literals are ignored, so <c>customer.HasTag("System")</c> is fine.
/// </summary>
public static partial class ExpressionGuard
{
    private static readonly string[] Forbidden =
    [
        "GetType", "typeof", "Type", "Assembly", "Module", "Reflection", "Activator", "CreateInstance", "Invoke",
        "DynamicInvoke", "Emit", "System", "Microsoft", "Process", "Environment", "AppDomain", "AppContext", "Marshal",
        "GC", "Console", "File", "Directory", "Path", "Stream", "Thread", "Task", "Random", "Guid", "DateTime",
        "DateTimeOffset", "TimeProvider", "Stopwatch", "Runtime", "Unsafe",
    ];

    /// <summary>The reason the expression is refused, or null when it is acceptable.</summary>
    public static string? Problem(string expression)
    {
        var code = StringLiteral().Replace(expression, "\"\"");
        foreach (Match word in Identifier().Matches(code))
        {
            // Dynamic LINQ matches members ignoring case: customer.Name.gettype() reaches GetType.
            if (Forbidden.Contains(word.Value, StringComparer.OrdinalIgnoreCase))
                return $"'{word.Value}' is not allowed in an expression: use the customer, stats, cart, event, journey and now facts (see docs/rules.md)";
        }
        return null;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}
