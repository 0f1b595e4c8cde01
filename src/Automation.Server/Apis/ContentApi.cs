using System.Text;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Automation.Server.MarketerConsole.Editing;
using Automation.Server.Tools;

namespace Automation.Server.Apis;

/// <summary>A file of a publish: its path (<c>rules/welcome.json</c>) and its whole text.</summary>
public sealed record PublishedFileBody(string? Path, string? Content);

/// <summary><c>POST /v1/content/publish</c>: files added or replaced, paths removed, the version they start from, and why.</summary>
public sealed record PublishBody(long? Base, string? Message, IReadOnlyList<PublishedFileBody>? Files, IReadOnlyList<string>? Removed);

/// <summary><c>POST /v1/content/rollback</c>: the version to publish again (one file of it with <see cref="Path"/>), the version now published, and why.</summary>
public sealed record RollbackBody(long? Version, string? Path, long? Base, string? Message);

/// <summary>
/// Published content versions: list, one version's files, a file as a version holds it, a file's history, a line
/// diff between two versions of a file (read scope), and publish and rollback (admin scope). A publish is refused with
/// 422 and <c>automation validate</c>'s file:line problems when the content would not pass it, and with 409 when
/// another publish moved the head since <c>base</c>.
/// </summary>
internal static class ContentApi
{
    public const int DefaultPage = 50;
    public const int MaxPage = 500;

    /// <summary>The longest file a publish takes, as the console editor.</summary>
    public const int MaxFileLength = MarketerConsole.Pages.EditorModel.MaxContentLength;

    public sealed record VersionView(long Id, DateTimeOffset PublishedAt, string Author, string Message, long? RestoredFrom, IReadOnlyList<ContentFileRef>? Files);

    public static ApiRoutes MapContentApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/content/versions", async (long? cursor, int? limit, IContentVersionStore store, CancellationToken ct) =>
        {
            if (cursor is < 1) return ValidationProblem.For("cursor", "must be the next value of an earlier page, or left out for the first");
            if (limit is < 1 or > MaxPage) return ValidationProblem.For("limit", $"must be from 1 to {MaxPage}");
            var page = limit ?? DefaultPage;
            var versions = await store.VersionsAsync(cursor, page + 1, ct);
            var head = await store.HeadAsync(ct);
            return Results.Ok(new
            {
                head = head?.Id,
                versions = versions.Take(page).Select(v => View(v, withFiles: false)).ToList(),
                next = versions.Count > page ? versions[page - 1].Id : (long?)null,
            });
        });
        v1.Read.MapGet("/content/versions/{id}", async (long id, IContentVersionStore store, CancellationToken ct) =>
            await store.FindVersionAsync(id, ct) is { } version ? Results.Ok(View(version, withFiles: true)) : UnknownVersion(id));
        v1.Read.MapGet("/content/files/{*path}", async (string path, long? version, IContentVersionStore store, CancellationToken ct) =>
        {
            var (found, problem) = await FindAsync(store, version, ct);
            if (problem is not null) return problem;
            var file = found!.Files.FirstOrDefault(f => f.Path == path);
            if (file is null) return NoSuchFile(path, found.Id);
            return Results.Bytes((await store.FindBlobAsync(file.Hash, ct))!, path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/plain; charset=utf-8");
        });
        v1.Read.MapGet("/content/history/{*path}", async (string path, IContentVersionStore store, CancellationToken ct) =>
        {
            var changes = await store.HistoryAsync(path, ct);
            return changes.Count == 0 ? NoSuchFile(path, null) : Results.Ok(new { path, changes });
        });
        v1.Read.MapGet("/content/diff/{*path}", async (string path, long? from, long? to, IContentVersionStore store, CancellationToken ct) =>
        {
            if (from is null) return ValidationProblem.For("from", "required: the version to compare from");
            var (before, beforeProblem) = await FindAsync(store, from, ct);
            if (beforeProblem is not null) return beforeProblem;
            var (after, afterProblem) = await FindAsync(store, to, ct);
            if (afterProblem is not null) return afterProblem;
            var old = await TextAsync(store, before!, path, ct);
            var @new = await TextAsync(store, after!, path, ct);
            if (old is null && @new is null) return NoSuchFile(path, null);
            return Results.Ok(new
            {
                path, from = before!.Id, to = after!.Id,
                lines = LineDiff.Of(old ?? "", @new ?? "").Select(l => new { change = l.Change.ToString(), text = l.Text }).ToList(),
            });
        });
        v1.Admin.MapPost("/content/publish", async (PublishBody? body, HttpContext http, ContentPublisher publisher, CancellationToken ct) =>
        {
            var (change, errors) = Read(body);
            if (errors.Count > 0) return ValidationProblem.For(errors);
            return Answer(await publisher.PublishAsync(change!, AuditActors.Of(http.User), ct), http);
        });
        v1.Admin.MapPost("/content/rollback", async (RollbackBody? body, HttpContext http, ContentPublisher publisher, CancellationToken ct) =>
        {
            var errors = new List<FieldError>();
            if (body?.Version is not > 0) errors.Add(new FieldError("version", "required: the id of the version to publish again"));
            if (body?.Path is { } path && !ContentSet.IsContentPath(path)) errors.Add(new FieldError("path", $"'{path}' is not a file under rules/ or templates/"));
            if (body?.Base is < 0) errors.Add(new FieldError("base", "must be the id of the version published now (0 before any)"));
            if (errors.Count > 0) return ValidationProblem.For(errors);
            var message = string.IsNullOrWhiteSpace(body!.Message) ? $"rollback to version {body.Version}" : body.Message.Trim();
            return Answer(await publisher.RollbackAsync(body.Version!.Value, body.Path, body.Base, message, AuditActors.Of(http.User), ct), http);
        });
        return v1;
    }

    private static VersionView View(ContentVersion v, bool withFiles) => new(v.Id, v.PublishedAt, v.Author, v.Message, v.RestoredFrom, withFiles ? v.Files : null);

    /// <summary>The publish's change, or the fields at fault.</summary>
    internal static (ContentChange? Change, IReadOnlyList<FieldError> Errors) Read(PublishBody? body)
    {
        var errors = new List<FieldError>();
        if (body is null) return (null, [new FieldError("body", "must be a JSON object with message and files")]);
        if (string.IsNullOrWhiteSpace(body.Message)) errors.Add(new FieldError("message", "required: why this is published, as the history will show it"));
        if (body.Base is < 0) errors.Add(new FieldError("base", "must be the id of the version the change was made from (0 before any)"));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < (body.Files?.Count ?? 0); i++)
        {
            var file = body.Files![i];
            if (!ContentSet.IsContentPath(file.Path)) errors.Add(new FieldError($"files[{i}].path", $"'{file.Path}' is not a file under rules/ or templates/"));
            else if (files.ContainsKey(file.Path!)) errors.Add(new FieldError($"files[{i}].path", $"'{file.Path}' is given twice"));
            if (file.Content is null) errors.Add(new FieldError($"files[{i}].content", "required: the file's whole text"));
            else if (file.Content.Length > MaxFileLength) errors.Add(new FieldError($"files[{i}].content", $"longer than {MaxFileLength} characters"));
            if (file.Path is not null && file.Content is not null) files[file.Path] = Encoding.UTF8.GetBytes(file.Content);
        }
        var removed = body.Removed ?? [];
        for (var i = 0; i < removed.Count; i++)
        {
            if (!ContentSet.IsContentPath(removed[i])) errors.Add(new FieldError($"removed[{i}]", $"'{removed[i]}' is not a file under rules/ or templates/"));
            else if (files.ContainsKey(removed[i])) errors.Add(new FieldError($"removed[{i}]", $"'{removed[i]}' is also in files"));
        }
        if (files.Count == 0 && removed.Count == 0) errors.Add(new FieldError("files", "nothing to publish: give files to add or change, or removed paths"));
        return (errors.Count > 0 ? null : new ContentChange(files, removed, body.Base, body.Message!.Trim()), errors);
    }

    private static IResult Answer(PublishOutcome outcome, HttpContext http) => outcome switch
    {
        PublishOutcome.Published p => Results.Created($"/v1/content/versions/{p.Version.Id}", new { version = View(p.Version, withFiles: false), changed = p.Changed }),
        PublishOutcome.Unchanged u => Results.Ok(new { version = View(u.Head, withFiles: false), changed = Array.Empty<string>() }),
        PublishOutcome.Invalid i => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The content does not pass validation",
            detail: $"{Problems(i.Check, http).Count} problem(s), as automation validate reports them; nothing was published",
            extensions: new Dictionary<string, object?> { ["problems"] = Problems(i.Check, http) }),
        PublishOutcome.Stale s => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Published since",
            detail: $"version {s.Head} was published after version {s.BaseVersion}, which this change was made from: look at what changed and publish again with base {s.Head}",
            extensions: new Dictionary<string, object?> { ["head"] = s.Head }),
        PublishOutcome.UnknownVersion u => UnknownVersion(u.Version),
        _ => throw new InvalidOperationException(outcome.ToString()),
    };

    /// <summary>The check's problems as <c>automation validate</c> prints them, the file named under the content root.</summary>
    private static List<object> Problems(ContentCheckResult check, HttpContext http)
    {
        var root = http.RequestServices.GetRequiredService<IHostEnvironment>().ContentRootPath;
        string Name(string file) => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        return [.. check.FileProblems.Select(p => (object)new { file = Name(p.File), line = p.Line, rule = p.Rule, message = p.Reason, text = (p with { File = Name(p.File) }).ToString() })
            .Concat(check.TemplateProblems.Select(p => new { file = Name(p.File), line = p.Line, rule = (string?)null, message = p.Reason, text = $"{Name(p.File)}:{p.Line}: {p.Reason}" }))];
    }

    private static async Task<(ContentVersion? Version, IResult? Problem)> FindAsync(IContentVersionStore store, long? id, CancellationToken ct)
    {
        var version = id is { } wanted ? await store.FindVersionAsync(wanted, ct) : await store.HeadAsync(ct);
        return version is not null ? (version, null) : (null, id is { } missing ? UnknownVersion(missing) : NothingPublished());
    }

    private static async Task<string?> TextAsync(IContentVersionStore store, ContentVersion version, string path, CancellationToken ct) =>
        version.Files.FirstOrDefault(f => f.Path == path) is { } file ? Encoding.UTF8.GetString((await store.FindBlobAsync(file.Hash, ct))!) : null;

    private static IResult UnknownVersion(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such version",
        detail: $"there is no content version {id} (GET /v1/content/versions lists them)");

    private static IResult NothingPublished() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Nothing published", detail: "no content version exists yet");

    private static IResult NoSuchFile(string path, long? version) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such file",
        detail: version is null ? $"no version holds {path}" : $"version {version} holds no {path}");
}
