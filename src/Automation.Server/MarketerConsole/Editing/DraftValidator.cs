using System.Text.RegularExpressions;
using Automation.Server.Hosting;
using Automation.Server.Tools;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>A problem at file:line (and column when the check knows it), the file relative to the content root.</summary>
public sealed record DraftProblem(string File, int Line, int? Column, string Message);

/// <summary>The problems in the draft's own file, and those the draft leaves or causes in other files.</summary>
public sealed record DraftCheck(IReadOnlyList<DraftProblem> Problems, IReadOnlyList<DraftProblem> Elsewhere);

/// <summary>
/// Checks a draft as <c>automation validate</c> would once it were published: <see cref="ContentCheck"/> over the
/// published folders with the draft in place of its file. Nothing the server runs is touched.
/// </summary>
internal sealed partial class DraftValidator(JourneyFiles folders, IConfiguration configuration, TimeProvider clock, IHostEnvironment environment)
{
    public DraftCheck Check(EditableFile file, string content)
    {
        var now = clock.GetUtcNow();
        using var draft = folders.WithDraft(file.FullPath, content, now);
        var result = ContentCheck.Run(draft, Automation.Channels.SmsProviders.TemplateBased(configuration), now);
        var problems = result.FileProblems.Select(p => Problem(p.File, p.Line, p.Rule is null ? p.Reason : $"{p.Rule}: {p.Reason}"))
            .Concat(result.TemplateProblems.Select(p => Problem(p.File, p.Line, p.Reason)))
            .ToList();
        return new DraftCheck([.. problems.Where(p => p.File == file.Path)], [.. problems.Where(p => p.File != file.Path)]);
    }

    private DraftProblem Problem(string file, int line, string message)
    {
        // Liquid's parse errors carry their place as (line:column).
        var place = Place().Match(message);
        int? column = place.Success && int.Parse(place.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) == line
            ? int.Parse(place.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new DraftProblem(Path.GetRelativePath(environment.ContentRootPath, file).Replace(Path.DirectorySeparatorChar, '/'), line, column, message);
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Place();
}
