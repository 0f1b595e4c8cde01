using Automation.Core.Audit;
using Automation.Core.Storage;
using Automation.Server.Hosting;

namespace Automation.Server.Tools;

/// <summary>
/// A change to publish: files added or replaced (by version path, <c>rules/welcome.json</c>), paths removed, the
/// version it was made from (null: whatever is published now) and why.
/// </summary>
internal sealed record ContentChange(IReadOnlyDictionary<string, byte[]> Files, IReadOnlyList<string> Removed, long? BaseVersion, string Message);

/// <summary>What became of a publish or a rollback.</summary>
internal abstract record PublishOutcome
{
    /// <summary>A new version, and the paths it added, changed or removed against the version before.</summary>
    public sealed record Published(ContentVersion Version, IReadOnlyList<string> Changed) : PublishOutcome;

    /// <summary>The files are those of the version already published: no version is made.</summary>
    public sealed record Unchanged(ContentVersion Head) : PublishOutcome;

    /// <summary>The files fail <c>automation validate</c>'s checks; nothing was published.</summary>
    public sealed record Invalid(ContentCheckResult Check) : PublishOutcome;

    /// <summary>Another publish moved the head since the version the change was made from.</summary>
    public sealed record Stale(long BaseVersion, long Head) : PublishOutcome;

    /// <summary>A rollback named a version that does not exist.</summary>
    public sealed record UnknownVersion(long Version) : PublishOutcome;
}

/// <summary>
/// Publishes content as a new version: the complete set of files after the change is checked as <c>automation
/// validate</c> checks the folders (<see cref="ContentCheck"/>), refused with the same file:line problems when it adds
/// any to the version published now, then stored with its audit entry in one transaction whose compare-and-set on the
/// head refuses a stale base. Then it is served: with <c>Content:Source=files</c> its files are written into the
/// folders on disk (each atomically) and the reloader takes them as it takes any edit; with <c>database</c> this
/// node's <see cref="PublishedContent"/> takes it at once, the other nodes at their next look.
/// </summary>
internal sealed partial class ContentPublisher(IContentVersionStore store, JourneyFiles folders, IConfiguration configuration, TimeProvider clock,
    ILogger<ContentPublisher> logger, PublishedContent? published = null)
{
    /// <summary>The author of a version that records the folders as they changed on disk.</summary>
    public const string DiskAuthor = "files";

    public async Task<PublishOutcome> PublishAsync(ContentChange change, AuditActor author, CancellationToken ct)
    {
        var current = folders.Content();
        var candidate = change.Removed.Aggregate(current, (set, path) => set.With(path, null));
        candidate = change.Files.Aggregate(candidate, (set, file) => set.With(file.Key, file.Value));
        return await PublishSetAsync(candidate, current, change.BaseVersion, change.Message, null, author, ct);
    }

    /// <summary>The folders as they are, whole, as a new version: what <c>automation publish</c> does.</summary>
    public async Task<PublishOutcome> PublishFoldersAsync(long? baseVersion, string message, AuditActor author, CancellationToken ct)
    {
        var current = folders.Content();
        return await PublishSetAsync(current, current, baseVersion, message, null, author, ct);
    }

    /// <summary>
    /// Publishes an earlier version's file at <paramref name="path"/> (removing it when that version had none), or with
    /// no path the whole of that version, as a new version: checked like any publish, so a journey rolled back to a
    /// version naming a template that is gone now is refused.
    /// </summary>
    public async Task<PublishOutcome> RollbackAsync(long version, string? path, long? baseVersion, string message, AuditActor author, CancellationToken ct)
    {
        if (await store.FindVersionAsync(version, ct) is not { } earlier) return new PublishOutcome.UnknownVersion(version);
        var restored = await ContentSet.ReadAsync(earlier, store, ct);
        var current = folders.Content();
        var candidate = path is null ? restored : current.With(path, restored.Files.GetValueOrDefault(path));
        return await PublishSetAsync(candidate, current, baseVersion, message, version, author, ct);
    }

    /// <summary>
    /// Records the folders as a new version when they differ from the one published (edited on disk, or never
    /// recorded), so every file the server ever ran has a version; unchecked, as the server runs what is on disk.
    /// </summary>
    public async Task<ContentVersion?> RecordFoldersAsync(CancellationToken ct)
    {
        // Served from the database, the folders are a published version already.
        if (published is not null) return null;
        var disk = folders.Content();
        // A publish from another place may move the head meanwhile: read again and compare again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var head = await store.HeadAsync(ct);
            if (head is null ? disk.Files.Count == 0 : Changed(disk, head).Count == 0) return null;
            var now = clock.GetUtcNow();
            var message = head is null ? "imported from disk" : "changed on disk";
            // Not in the audit log, which records what people did: the version itself says the files changed on disk.
            var version = await store.PublishAsync(disk.ToFiles(), new ContentPublication(head?.Id ?? 0, DiskAuthor, message, now), null, ct);
            if (version is not null) return version;
        }
        return null;
    }

    private async Task<PublishOutcome> PublishSetAsync(ContentSet candidate, ContentSet current, long? baseVersion, string message, long? restoredFrom, AuditActor author,
        CancellationToken ct)
    {
        var head = await store.HeadAsync(ct);
        var headId = head?.Id ?? 0;
        var from = baseVersion ?? headId;
        if (from != headId) return new PublishOutcome.Stale(from, headId);
        var changed = head is null ? [.. candidate.Files.Keys.Order(StringComparer.Ordinal)] : Changed(candidate, head);
        if (head is not null && changed.Count == 0) return new PublishOutcome.Unchanged(head);

        var now = clock.GetUtcNow();
        if (await NewProblemsAsync(candidate, head, now, ct) is { } problems) return new PublishOutcome.Invalid(problems);
        var action = restoredFrom is null ? AuditActions.ContentPublish : AuditActions.ContentRollback;
        var version = await store.PublishAsync(candidate.ToFiles(), new ContentPublication(from, author.Name, message, now, restoredFrom),
            Audit(now, author, action, from, message, changed, restoredFrom), ct);
        if (version is null) return new PublishOutcome.Stale(from, (await store.HeadAsync(ct))?.Id ?? 0);
        // Served from the database, this node takes the version now (the others at their next look); else the folders on disk get it.
        if (published is not null) await published.RefreshAsync(ct);
        else WriteToDisk(candidate, current);
        return new PublishOutcome.Published(version, changed);
    }

    /// <summary>
    /// The problems the candidate has that the version published now has not; null when none. A file already broken
    /// (edited on disk, or invalid since a validator rule changed) does not block publishing a fix elsewhere, but nothing
    /// published may add a problem.
    /// </summary>
    private async Task<ContentCheckResult?> NewProblemsAsync(ContentSet candidate, ContentVersion? head, DateTimeOffset now, CancellationToken ct)
    {
        var check = Check(candidate, now);
        if (check.Valid) return null;
        var before = Check(head is null ? new ContentSet(new Dictionary<string, byte[]>()) : await ContentSet.ReadAsync(head, store, ct), now);
        var known = before.FileProblems.Select(p => p.ToString()).Concat(before.TemplateProblems.Select(p => p.Message)).ToHashSet(StringComparer.Ordinal);
        var added = check with
        {
            FileProblems = [.. check.FileProblems.Where(p => !known.Contains(p.ToString()))],
            TemplateProblems = [.. check.TemplateProblems.Where(p => !known.Contains(p.Message))],
        };
        return added.Valid ? null : added;
    }

    private ContentCheckResult Check(ContentSet content, DateTimeOffset now)
    {
        using var checking = folders.With(content, now);
        return ContentCheck.Run(checking, Channels.SmsProviders.TemplateBased(configuration), now);
    }

    /// <summary>The paths a set adds, changes or removes against a version, by hash.</summary>
    private static List<string> Changed(ContentSet set, ContentVersion version)
    {
        var hashes = version.Files.ToDictionary(f => f.Path, f => f.Hash, StringComparer.Ordinal);
        return [.. set.Files.Keys.Union(hashes.Keys)
            .Where(p => !(set.Files.TryGetValue(p, out var bytes) && hashes.TryGetValue(p, out var hash) && ContentFile.HashOf(bytes) == hash))
            .Order(StringComparer.Ordinal)];
    }

    private static AuditEntry Audit(DateTimeOffset now, AuditActor author, string action, long baseVersion, string message, IReadOnlyList<string> changed, long? restoredFrom) =>
        new(now, author, action, $"content:version:{baseVersion + 1}", AuditEntry.Json(baseVersion == 0 ? null : new { version = baseVersion }),
            AuditEntry.Json(new { version = baseVersion + 1, message, changed, restoredFrom }));

    /// <summary>
    /// Makes the folders on disk hold the set: each changed file written to a temporary file beside it and renamed over
    /// it, so the reloader never reads half a file; removed files deleted.
    /// </summary>
    private void WriteToDisk(ContentSet candidate, ContentSet current)
    {
        foreach (var path in candidate.ChangedFrom(current))
        {
            var file = folders.DiskPathOf(path);
            if (!candidate.Files.TryGetValue(path, out var bytes))
            {
                File.Delete(file);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = $"{file}.{Guid.NewGuid():N}{ContentSet.PartialSuffix}";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, file, overwrite: true);
        }
        LogWritten(logger, folders.RulesFolder.Root, folders.TemplatesFolder.Root);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published files written to {Rules} and {Templates}")]
    private static partial void LogWritten(ILogger logger, string rules, string templates);
}
