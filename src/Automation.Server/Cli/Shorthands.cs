namespace Automation.Server.Cli;

/// <summary>
/// Command-line shorthands of the marketer tools: <c>--rules DIR</c> and <c>--templates DIR</c> stand for
/// <c>--Rules:Path</c> and <c>--Templates:Path</c>. Configuration keys ignore case, so a plain <c>rules</c> key
/// would collide with the <c>Rules</c> section.
/// </summary>
internal static class Shorthands
{
    public static string[] Expand(string[] args) => [.. args.Select(a => a switch
    {
        "--rules" => "--Rules:Path",
        "--templates" => "--Templates:Path",
        _ when a.StartsWith("--rules=", StringComparison.Ordinal) => "--Rules:Path=" + a["--rules=".Length..],
        _ when a.StartsWith("--templates=", StringComparison.Ordinal) => "--Templates:Path=" + a["--templates=".Length..],
        _ => a,
    })];
}
