using Automation.Core.Audit;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Published content: the head moves by compare-and-set in the first statement of a publish, so a stale publish writes nothing.
public abstract partial class AutomationStorage : IContentVersionStore
{
    private const string VersionColumns = "id AS \"Id\", published_at AS \"PublishedAt\", author AS \"Author\", message AS \"Message\", restored_from AS \"RestoredFrom\"";

    public async Task<ContentVersion?> HeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var head = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM content_head WHERE id = 1", cancellationToken: cancellationToken));
        return head == 0 ? null : await FindVersionAsync(head, cancellationToken);
    }

    public async Task<ContentVersion?> FindVersionAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var version = (await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM content_versions WHERE id = @id", new { id }, cancellationToken: cancellationToken))).SingleOrDefault();
        if (version is null) return null;
        var files = await connection.QueryAsync<(string Path, string Hash)>(new CommandDefinition(
            "SELECT path, hash FROM content_version_files WHERE version = @id", new { id }, cancellationToken: cancellationToken));
        return version.ToVersion([.. files.Select(f => new ContentFileRef(f.Path, f.Hash)).OrderBy(f => f.Path, StringComparer.Ordinal)]);
    }

    public async Task<IReadOnlyList<ContentVersion>> VersionsAsync(long? before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM content_versions WHERE @before IS NULL OR id < @before ORDER BY id DESC LIMIT @limit",
            new { before, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToVersion([]))];
    }

    public async Task<byte[]?> FindBlobAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT bytes FROM content_blobs WHERE hash = @hash", new { hash }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ContentFileChange>> HistoryAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<HistoryRow>(new CommandDefinition("""
            SELECT v.id AS "Version", v.published_at AS "PublishedAt", v.author AS "Author", v.message AS "Message", f.hash AS "Hash"
            FROM content_versions v LEFT JOIN content_version_files f ON f.version = v.id AND f.path = @path
            ORDER BY v.id
            """, new { path }, cancellationToken: cancellationToken));
        var changes = new List<ContentFileChange>();
        string? previous = null;
        foreach (var row in rows)
        {
            if (row.Hash != previous) changes.Add(new ContentFileChange(row.Version, row.PublishedAt, row.Author, row.Message, row.Hash));
            previous = row.Hash;
        }
        changes.Reverse();
        return changes;
    }

    public async Task<ContentVersion?> PublishAsync(IReadOnlyList<ContentFile> files, ContentPublication publication, AuditEntry? audit, CancellationToken cancellationToken)
    {
        var id = publication.BaseVersion + 1;
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var connection = writer.Connection;
        // Publishes from one base queue on the head's row; once the first commits, the others match no row.
        var moved = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE content_head SET version = @id WHERE id = 1 AND version = @base", new { id, @base = publication.BaseVersion }, transaction, cancellationToken: cancellationToken));
        if (moved == 0) return null;

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO content_versions (id, published_at, author, message, restored_from) VALUES (@id, @at, @Author, @Message, @RestoredFrom)
            """, new { id, at = publication.At.ToUniversalTime(), publication.Author, publication.Message, publication.RestoredFrom }, transaction, cancellationToken: cancellationToken));
        var unique = files.DistinctBy(f => f.Hash).ToList();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in unique.Chunk(Dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            stored.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT hash FROM content_blobs WHERE hash {Dialect.InList("hashes", chunk.Select(f => f.Hash).ToList(), p)}", p, transaction, cancellationToken: cancellationToken)));
        }
        // Bytes are sent only for files no version held before.
        foreach (var chunk in unique.Where(f => !stored.Contains(f.Hash)).Chunk(Dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO content_blobs (hash, bytes) VALUES {SqlLists.Values(chunk, f => [f.Hash, f.Bytes], p)} ON CONFLICT (hash) DO NOTHING", p, transaction,
                cancellationToken: cancellationToken));
        }
        foreach (var chunk in files.Chunk(Dialect.RowsPerStatement))
        {
            var p = new DynamicParameters(new { id });
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO content_version_files (version, path, hash) VALUES {SqlLists.Values(chunk, f => [id, f.Path, f.Hash], p)}", p, transaction,
                cancellationToken: cancellationToken));
        }
        if (audit is not null) await AuditRows.InsertAsync(connection, transaction, audit, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ContentVersion(id, publication.At, publication.Author, publication.Message, publication.RestoredFrom,
            [.. files.Select(f => new ContentFileRef(f.Path, f.Hash)).OrderBy(f => f.Path, StringComparer.Ordinal)]);
    }

    private sealed class VersionRow
    {
        public long Id { get; set; }
        public DateTimeOffset PublishedAt { get; set; }
        public string Author { get; set; } = "";
        public string Message { get; set; } = "";
        public long? RestoredFrom { get; set; }

        public ContentVersion ToVersion(IReadOnlyList<ContentFileRef> files) => new(Id, PublishedAt, Author, Message, RestoredFrom, files);
    }

    private sealed class HistoryRow
    {
        public long Version { get; set; }
        public DateTimeOffset PublishedAt { get; set; }
        public string Author { get; set; } = "";
        public string Message { get; set; } = "";
        public string? Hash { get; set; }
    }
}
