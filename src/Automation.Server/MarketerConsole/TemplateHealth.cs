using Automation.Core.Messaging;

namespace Automation.Server.MarketerConsole;

/// <summary>A message template that does not parse; <paramref name="RunningLastGood"/> when its last good version is what gets sent.</summary>
public sealed record TemplateProblem(string File, int Line, string Reason, bool RunningLastGood);

/// <summary>
/// Checks every message template (not layouts and partials, in folders starting with <c>_</c>) as the dispatcher
/// would load it. Loading is cached per file save, so this costs a file stat per template.
/// </summary>
internal static class TemplateHealth
{
    public static IReadOnlyList<TemplateProblem> Check(LiquidTemplates templates, string contentRoot)
    {
        var root = templates.Files.Root;
        if (!Directory.Exists(root)) return [];
        var problems = new List<TemplateProblem>();
        foreach (var file in Directory.EnumerateFiles(root, "*.liquid", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('_'))) continue;
            try
            {
                templates.Load(file);
            }
            catch (TemplateException e)
            {
                problems.Add(new TemplateProblem(Path.GetRelativePath(contentRoot, e.File), e.Line, e.Reason, RunningLastGood: false));
            }
        }
        // A file that turned bad loads its last good version without throwing; the templates remember its problem.
        problems.AddRange(templates.Problems.Select(e => new TemplateProblem(Path.GetRelativePath(contentRoot, e.File), e.Line, e.Reason, RunningLastGood: true)));
        return [.. problems.OrderBy(p => p.File, StringComparer.Ordinal)];
    }
}
