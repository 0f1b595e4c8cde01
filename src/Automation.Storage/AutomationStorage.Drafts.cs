using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The console editor's drafts: every write compares the revision in its own statement.
public abstract partial class AutomationStorage : IContentDraftStore
{
    private const string DraftColumns = "user_name AS \"User\", path AS \"Path\", base_hash AS \"BaseHash\", content AS \"Content\", updated_at AS \"UpdatedAt\", revision AS \"Revision\"";

    public async Task<ContentDraft?> FindDraftAsync(string user, string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DraftRow>(new CommandDefinition(
            $"SELECT {DraftColumns} FROM content_drafts WHERE user_name = @user AND path = @path", new { user, path }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDraft()).SingleOrDefault();
    }

    public async Task<IReadOnlyList<ContentDraft>> DraftsOfAsync(string user, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DraftRow>(new CommandDefinition(
            $"SELECT {DraftColumns} FROM content_drafts WHERE user_name = @user ORDER BY updated_at DESC, path", new { user }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDraft())];
    }

    public async Task<ContentDraft?> SaveDraftAsync(string user, string path, string baseHash, string content, long revision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A first save inserts or finds a draft already there (another tab started one); a later save updates only the
        // revision it read. Either way the check and the write are one statement.
        var sql = revision == 0
            ? $"""
              INSERT INTO content_drafts (user_name, path, base_hash, content, updated_at, revision)
              VALUES (@user, @path, @baseHash, @content, @now, 1)
              ON CONFLICT (user_name, path) DO NOTHING
              RETURNING {DraftColumns}
              """
            : $"""
              UPDATE content_drafts SET content = @content, updated_at = @now, revision = revision + 1
              WHERE user_name = @user AND path = @path AND revision = @revision
              RETURNING {DraftColumns}
              """;
        await using var writer = await OpenWriterAsync(cancellationToken);
        var rows = await writer.Connection.QueryAsync<DraftRow>(new CommandDefinition(sql,
            new { user, path, baseHash, content, now = now.ToUniversalTime(), revision }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDraft()).SingleOrDefault();
    }

    public async Task<bool> DiscardDraftAsync(string user, string path, long revision, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM content_drafts WHERE user_name = @user AND path = @path AND revision = @revision",
            new { user, path, revision }, cancellationToken: cancellationToken)) == 1;
    }

    private sealed class DraftRow
    {
        public string User { get; set; } = "";
        public string Path { get; set; } = "";
        public string BaseHash { get; set; } = "";
        public string Content { get; set; } = "";
        public DateTimeOffset UpdatedAt { get; set; }
        public long Revision { get; set; }

        public ContentDraft ToDraft() => new(User, Path, BaseHash, Content, UpdatedAt, Revision);
    }
}
