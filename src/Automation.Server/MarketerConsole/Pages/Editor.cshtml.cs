using Automation.Core.Storage;
using Automation.Server.Hosting;
using Automation.Server.MarketerConsole.Editing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>What the editor posts: the draft's path and text, the revision it read, and what to preview or simulate with.</summary>
public sealed record EditorRequest(string? Path, string? Content, long Revision = 0, string? BaseHash = null, string? Customer = null, string? Locale = null,
    string? Events = null, string? Days = null);

/// <summary>
/// Edits a journey, rule file or template as a draft of the signed-in user: saved on every pause in typing (a
/// compare-and-set on the draft's revision), checked as <c>automation validate</c> would once published, a template
/// previewed and a journey simulated with the draft in place of its file. The published file is never written here.
/// </summary>
[ConsoleRole(ConsoleRole.Editor)]
internal sealed class EditorModel(JourneyFiles folders, IHostEnvironment environment, IContentDraftStore drafts, DraftValidator validator,
    DraftPreviewer previewer, DraftSimulator simulator, TimeProvider clock) : PageModel
{
    /// <summary>The longest draft taken: far above any journey or template, far below what would strain a check.</summary>
    public const int MaxContentLength = 512 * 1024;

    public IReadOnlyList<string> Files { get; private set; } = [];
    public IReadOnlyList<ContentDraft> MyDrafts { get; private set; } = [];
    public EditableFile? Editing { get; private set; }
    public string Text { get; private set; } = "";
    public long Revision { get; private set; }
    public string BaseHash { get; private set; } = "";
    public ContentDraft? Draft { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    /// <summary>The published file changed since the draft started (someone published): its diff against the draft.</summary>
    public IReadOnlyList<DiffLine>? Conflict { get; private set; }

    private string UserName => User.Identity!.Name!;

    public async Task<IActionResult> OnGetAsync(string? path, CancellationToken ct)
    {
        if (path is null)
        {
            Files = EditableFile.All(folders, environment.ContentRootPath);
            MyDrafts = await drafts.DraftsOfAsync(UserName, ct);
            return Page();
        }
        if (Resolve(path) is not { } file) return NotFound();
        Editing = file;
        var published = file.ReadPublished(folders);
        var publishedHash = file.PublishedHash(folders);
        PublishedAt = file.PublishedAt(folders);
        Draft = await drafts.FindDraftAsync(UserName, file.Path, ct);
        (Text, Revision, BaseHash) = Draft is { } d ? (d.Content, d.Revision, d.BaseHash) : (published ?? "", 0L, publishedHash);
        if (Draft is not null && Draft.BaseHash != publishedHash) Conflict = LineDiff.Of(published ?? "", Draft.Content);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync([FromBody] EditorRequest body, CancellationToken ct)
    {
        if (Check(body) is { } bad) return bad;
        var file = Resolve(body.Path)!;
        var baseHash = body.Revision == 0 ? body.BaseHash ?? file.PublishedHash(folders) : "";
        var saved = await drafts.SaveDraftAsync(UserName, file.Path, baseHash, body.Content!, body.Revision, clock.GetUtcNow(), ct);
        if (saved is null)
        {
            var current = await drafts.FindDraftAsync(UserName, file.Path, ct);
            return StatusCode(StatusCodes.Status409Conflict, new
            {
                title = "This draft was saved from another tab or window since this one loaded it: reload to continue from that save.",
                revision = current?.Revision ?? 0,
                updatedAt = current?.UpdatedAt,
            });
        }
        return new JsonResult(new { revision = saved.Revision, updatedAt = saved.UpdatedAt });
    }

    public IActionResult OnPostValidate([FromBody] EditorRequest body) =>
        Check(body) is { } bad ? bad : new JsonResult(validator.Check(Resolve(body.Path)!, body.Content!));

    public async Task<IActionResult> OnPostPreviewAsync([FromBody] EditorRequest body, CancellationToken ct) =>
        Check(body) is { } bad ? bad : new JsonResult(await previewer.PreviewAsync(Resolve(body.Path)!, body.Content!, body.Customer, body.Locale, ct));

    public async Task<IActionResult> OnPostSimulateAsync([FromBody] EditorRequest body, CancellationToken ct) =>
        Check(body) is { } bad ? bad : new JsonResult(await simulator.SimulateAsync(Resolve(body.Path)!, body.Content!, body.Customer, body.Events, body.Days, ct));

    /// <summary>Drops the draft (at the revision the page showed) so the file opens as published again.</summary>
    public async Task<IActionResult> OnPostDiscardAsync(string? path, long revision, CancellationToken ct)
    {
        if (Resolve(path) is not { } file) return NotFound();
        await drafts.DiscardDraftAsync(UserName, file.Path, revision, ct);
        return RedirectToPage("/Editor", new { path = file.Path });
    }

    private EditableFile? Resolve(string? path) => EditableFile.Resolve(folders, environment.ContentRootPath, path);

    /// <summary>A problem details 400 naming the field that is wrong; null when the request can be worked on.</summary>
    private ObjectResult? Check(EditorRequest? body)
    {
        string? problem = body switch
        {
            null => "the body must be a JSON object with path and content",
            { Path: null } => "path: required, such as rules/cart-recovery.json",
            _ when Resolve(body.Path) is null => $"path: '{body.Path}' is not a .json file under the rules folder or a .liquid file under the templates folder",
            { Content: null } => "content: required",
            { Content.Length: > MaxContentLength } => $"content: longer than {MaxContentLength} characters",
            { Revision: < 0 } => "revision: must be 0 (a new draft) or the revision last saved",
            { BaseHash: { Length: > 0 } hash } when !System.Text.RegularExpressions.Regex.IsMatch(hash, "^[0-9a-f]{64}$") =>
                "baseHash: the SHA-256 (64 lower-case hex digits) of the published file the draft started from, or empty for a new file",
            _ => null,
        };
        return problem is null ? null : new ObjectResult(new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Bad editor request", Detail = problem })
        {
            StatusCode = StatusCodes.Status400BadRequest,
            ContentTypes = { "application/problem+json" },
        };
    }
}
