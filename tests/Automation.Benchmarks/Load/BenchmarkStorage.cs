using Automation.Storage;
using Automation.Storage.Migrations;
using Automation.Storage.Postgres;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Benchmarks.Load;

/// <summary>The database a storage-level benchmark runs on, migrated to the current schema.</summary>
internal static class BenchmarkStorage
{
    /// <summary>The PostgreSQL database the benchmarks run on: <c>AUTOMATION_BENCH_POSTGRES</c>, an empty database.</summary>
    public static string PostgresConnectionString => Environment.GetEnvironmentVariable("AUTOMATION_BENCH_POSTGRES")
        ?? throw new InvalidOperationException("Set AUTOMATION_BENCH_POSTGRES to an empty PostgreSQL database.");

    /// <summary>PostgreSQL at <c>AUTOMATION_BENCH_POSTGRES</c> (an empty database), or a new SQLite file in <paramref name="folder"/>.</summary>
    public static async Task<AutomationStorage> CreateAsync(string provider, DirectoryInfo folder)
    {
        AutomationStorage storage = provider == "postgres"
            ? new PostgresStorage(PostgresConnectionString)
            : new SqliteStorage($"Data Source={Path.Combine(folder.FullName, "automation.db")}");
        await new SchemaMigrator(storage, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return storage;
    }
}
