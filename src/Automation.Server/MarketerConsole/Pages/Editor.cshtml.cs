using Automation.Core.Storage;
using Automation.Server.Hosting;
using Automation.Server.MarketerConsole.Editing;
using Automation.Server.Http;
using Automation.Server.Tools;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>What the editor posts: the draft's path and text, the revision it read, and what to preview or simulate with.</summary>
public sealed record EditorRequest(string? Path, string? Content, long Revision = 0, string? BaseHash = null, string? Customer = null, string? Locale = null,
    string? Events = null, string? Days = null, string? Message = null, bool ApplyToRunning = false);

/// <summary>
/// Edits a journey, rule file or template as a draft of the signed-in user: saved on every pause in typing (a
/// compare-and-set on the draft's revision), checked as <c>automation validate</c> would once published, a template
/// previewed and a journey simulated with the draft in place of its file. A publisher publishes the saved draft as a
/// new content version (checked again, refused on problems or when the file was published since the draft began);
/// the file's history lists its versions, each with its diff and, for publishers, a rollback.
/// </summary>
[ConsoleRole(ConsoleRole.Editor)]
internal sealed class EditorModel(JourneyFiles folders, IHostEnvironment environment, IContentDraftStore drafts, DraftValidator validator,
    DraftPreviewer previewer, DraftSimulator simulator, ContentPublisher publisher, IContentVersionStore versions, IJourneyVersions running, TimeProvider clock) : PageModel
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

    /// <summary>The versions that added, changed or removed the file, newest first.</summary>
    public IReadOnlyList<ContentFileChange> History { get; private set; } = [];

    /// <summary>For a journey: its active instances that run the version they entered with, which a publish leaves on it unless applied to them.</summary>
    public long InFlight { get; private set; }

    /// <summary>What the last publish or rollback on this page did, shown once.</summary>
    [TempData]
    public string? Published { get; set; }

    /// <summary>The published file changed since the draft started (someone published): its diff against the draft.</summary>
    public IReadOnlyList<DiffLine>? Conflict { get; private set; }

    private string UserName => User.Identity!.Name!;

    /// <summary>The version chosen in the history to compare with the published file, and the diff from it.</summary>
    public (long Version, IReadOnlyList<DiffLine> Lines)? Compared { get; private set; }

    /// <param name="published">The version the page's publish just made, to say so.</param>
    public async Task<IActionResult> OnGetAsync(string? path, long? compare, long? published, CancellationToken ct)
    {
        if (path is null)
        {
            Files = EditableFile.All(folders, environment.ContentRootPath);
            MyDrafts = await drafts.DraftsOfAsync(UserName, ct);
            return Page();
        }
        if (Resolve(path) is not { } file) return NotFound();
        Editing = file;
        var current = file.ReadPublished(folders);
        var publishedHash = file.PublishedHash(folders);
        PublishedAt = file.PublishedAt(folders);
        Draft = await drafts.FindDraftAsync(UserName, file.Path, ct);
        (Text, Revision, BaseHash) = Draft is { } d ? (d.Content, d.Revision, d.BaseHash) : (current ?? "", 0L, publishedHash);
        if (Draft is not null && Draft.BaseHash != publishedHash) Conflict = LineDiff.Of(current ?? "", Draft.Content);
        History = await versions.HistoryAsync(folders.ContentPathOf(file.FullPath), ct);
        if (file.Kind == EditableKind.Journey) InFlight = (await running.RunningVersionsAsync(file.Name, ct)).Where(v => v.Hash is not null).Sum(v => v.Instances);
        if (compare is { } id && History.FirstOrDefault(h => h.Version == id) is { } chosen)
        {
            var before = chosen.Hash is { } hash && await versions.FindBlobAsync(hash, ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
            Compared = (id, LineDiff.Of(before, current ?? ""));
        }
        if (published is { } made && History.FirstOrDefault(h => h.Version == made) is { } publish) Published ??= $"Version {made} published: {publish.Message}";
        return Page();
    }

    /// <summary>
    /// Publishes the user's saved draft as a new version: refused when the page's text is not the draft as saved, when
    /// the file was published since the draft began, or with the problems <c>automation validate</c> would report.
    /// </summary>
    [ConsoleRole(ConsoleRole.Publisher)]
    public async Task<IActionResult> OnPostPublishAsync([FromBody] EditorRequest body, CancellationToken ct)
    {
        if (Check(body) is { } bad) return bad;
        var file = Resolve(body.Path)!;
        var draft = await drafts.FindDraftAsync(UserName, file.Path, ct);
        if (draft is null)
            return Refused(StatusCodes.Status409Conflict, "Nothing to publish: this is the published file; your first change starts a draft.");
        if (draft.Revision != body.Revision || draft.Content != body.Content)
            return Refused(StatusCodes.Status409Conflict, "Publish the draft once it is saved: the text on this page is not the draft as last saved.");
        if (draft.BaseHash != file.PublishedHash(folders))
            return Refused(StatusCodes.Status409Conflict, "The published file changed since your draft began: reload to compare before publishing.");
        var message = string.IsNullOrWhiteSpace(body.Message) ? $"{file.Path} edited in the console" : body.Message.Trim();
        var change = new ContentChange(new Dictionary<string, byte[]> { [folders.ContentPathOf(file.FullPath)] = System.Text.Encoding.UTF8.GetBytes(draft.Content) }, [], null, message);
        switch (await publisher.PublishAsync(change, AuditActors.Of(User), ct))
        {
            case PublishOutcome.Published published:
                await drafts.DiscardDraftAsync(UserName, file.Path, draft.Revision, ct);
                // The customers in flight move to the version just published, in one statement, if the publisher chose so.
                var moved = body.ApplyToRunning && file.Kind == EditableKind.Journey
                    ? await running.ApplyToRunningAsync(file.Name, Core.Storage.ContentFile.HashOf(change.Files.Values.Single()),
                        new Core.Audit.AuditEntry(clock.GetUtcNow(), AuditActors.Of(User), Core.Audit.AuditActions.JourneyApplyToRunning, $"journey:{file.Name}", null, null), ct)
                    : 0;
                return new JsonResult(new { version = published.Version.Id, changed = published.Changed, moved });
            case PublishOutcome.Unchanged unchanged:
                await drafts.DiscardDraftAsync(UserName, file.Path, draft.Revision, ct);
                return new JsonResult(new { version = unchanged.Head.Id, changed = Array.Empty<string>() });
            case PublishOutcome.Invalid:
                return new JsonResult(validator.Check(file, draft.Content)) { StatusCode = StatusCodes.Status422UnprocessableEntity };
            case PublishOutcome.Stale:
                return Refused(StatusCodes.Status409Conflict, "Someone published while this was being checked: reload to compare before publishing.");
            default:
                throw new InvalidOperationException("A publish of a draft names no earlier version.");
        }
    }

    /// <summary>Publishes the file as an earlier version held it, as a new version; refused with the problems it would bring back.</summary>
    [ConsoleRole(ConsoleRole.Publisher)]
    public async Task<IActionResult> OnPostRollbackAsync(string? path, long version, CancellationToken ct)
    {
        if (Resolve(path) is not { } file) return NotFound();
        var outcome = await publisher.RollbackAsync(version, folders.ContentPathOf(file.FullPath), null, $"{file.Path} rolled back to version {version}", AuditActors.Of(User), ct);
        Published = outcome switch
        {
            PublishOutcome.Published p => $"Version {p.Version.Id} published: {file.Path} as it was in version {version}.",
            PublishOutcome.Unchanged => $"{file.Path} is already as it was in version {version}.",
            PublishOutcome.Invalid i => $"Not rolled back: {string.Join("; ", i.Check.FileProblems.Select(p => p.Reason).Concat(i.Check.TemplateProblems.Select(p => p.Reason)))}",
            PublishOutcome.UnknownVersion => $"There is no version {version}.",
            _ => "Someone published meanwhile: look again and retry.",
        };
        return RedirectToPage("/Editor", new { path = file.Path });
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

    private static ObjectResult Refused(int status, string title) => new(new ProblemDetails { Status = status, Title = title }) { StatusCode = status };

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
