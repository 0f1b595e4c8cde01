using Automation.Storage;
using Automation.Storage.Migrations;
using Automation.Storage.Postgres;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Automation.Tests.Support;

/// <summary>
/// A fresh, migrated database for one test fixture: a SQLite file in a temporary folder, or a new database on the
/// throwaway PostgreSQL cluster that scripts/test.sh starts (its admin connection string in
/// <c>AUTOMATION_TEST_POSTGRES</c>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "AUTOMATION_TEST_POSTGRES";

    private readonly Func<ValueTask> _drop;

    private TestDatabase(string provider, string connectionString, AutomationStorage storage, Func<ValueTask> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Storage = storage;
        _drop = drop;
    }

    public string Provider { get; }
    public string ConnectionString { get; }
    public AutomationStorage Storage { get; }

    public static async Task<TestDatabase> CreateAsync(string provider, bool migrate = true)
    {
        var database = provider switch
        {
            StorageOptions.Sqlite => CreateSqlite(),
            StorageOptions.Postgres => await CreatePostgresAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
        if (migrate) await database.MigrateAsync();
        return database;
    }

    public Task<IReadOnlyList<Migration>> MigrateAsync() =>
        new SchemaMigrator(Storage, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

    /// <summary>The admin connection string of the test cluster; fails under CI and skips elsewhere when there is none.</summary>
    public static string RequirePostgres()
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrEmpty(admin)) return admin;
        const string why = $"PostgreSQL tests need {PostgresVariable} (scripts/test.sh starts a cluster and sets it).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
        Assert.Ignore(why);
        return "";
    }

    private static TestDatabase CreateSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("automation-test-");
        var connectionString = $"Data Source={Path.Combine(folder.FullName, "automation.db")}";
        var storage = new SqliteStorage(connectionString);
        return new TestDatabase(StorageOptions.Sqlite, connectionString, storage, () =>
        {
            storage.Dispose();
            folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        });
    }

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var admin = RequirePostgres();
        var name = $"automation_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        var storage = new PostgresStorage(connectionString);
        return new TestDatabase(StorageOptions.Postgres, connectionString, storage, async () =>
        {
            await storage.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        });
    }

    public ValueTask DisposeAsync() => _drop();
}
