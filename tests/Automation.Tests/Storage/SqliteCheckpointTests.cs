using Automation.Storage.Sqlite;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// The SQLite writer leaves committed pages in the write-ahead log until it holds
/// <see cref="SqliteStorage.WriterCheckpointPages"/> of them, and only then copies them into the database file: the
/// copy runs inside a commit and holds the one writer, so it is made seldom, but it is made, or the log would grow
/// without end.
/// </summary>
public sealed class SqliteCheckpointTests
{
    private const int PageSize = 4096;

    [Test]
    public async Task The_writer_copies_the_log_into_the_file_only_once_it_holds_the_mark_of_pages()
    {
        var folder = Directory.CreateTempSubdirectory("automation-checkpoint-");
        try
        {
            var file = Path.Combine(folder.FullName, "automation.db");
            using var storage = new SqliteStorage($"Data Source={file}");
            await WriteAsync(storage, "PRAGMA journal_mode = WAL; CREATE TABLE filler (b BLOB NOT NULL)");

            // A 3,000-byte blob takes a leaf page of its own: a commit of n rows adds about n pages to the log.
            var belowTheMark = SqliteStorage.WriterCheckpointPages * 3 / 10;
            for (var written = 0; written < belowTheMark; written += 500) await FillAsync(storage, rows: 500);
            new FileInfo(file).Length.Should().BeLessThan(100 * PageSize,
                $"{belowTheMark:N0} pages are over SQLite's default of 1,000 but under the writer's mark: still only in the log");
            new FileInfo(file + "-wal").Length.Should().BeGreaterThan((long)belowTheMark * PageSize);

            for (var written = belowTheMark; written < SqliteStorage.WriterCheckpointPages * 12 / 10; written += 500) await FillAsync(storage, rows: 500);
            new FileInfo(file).Length.Should().BeGreaterThan((long)SqliteStorage.WriterCheckpointPages * 9 / 10 * PageSize,
                "the commit that took the log past the mark copied it into the file");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Task FillAsync(SqliteStorage storage, int rows) => WriteAsync(storage,
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @rows) INSERT INTO filler SELECT randomblob(3000) FROM n", new { rows });

    private static async Task WriteAsync(SqliteStorage storage, string sql, object? parameters = null)
    {
        await using var writer = await storage.OpenWriterAsync(CancellationToken.None);
        await writer.Connection.ExecuteAsync(sql, parameters);
    }
}
