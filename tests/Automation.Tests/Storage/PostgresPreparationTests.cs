using System.Data.Common;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using FluentAssertions;

namespace Automation.Tests.Storage;

/// <summary>
/// PostgreSQL keeps the statements a connection repeats prepared on the server (Npgsql's automatic preparation), so
/// an ingest group's sixty statements are not parsed and planned anew each time — unless the connection string sets
/// the preparation itself, as one behind a pooler that cannot keep prepared statements must.
/// </summary>
public sealed class PostgresPreparationTests
{
    private const string Repeated = "SELECT count(*) FROM customers WHERE id = ANY(@ids)";

    [Test]
    public async Task A_statement_run_a_second_time_on_a_connection_is_prepared_on_the_server()
    {
        await using var database = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var connection = await database.Storage.OpenConnectionAsync(CancellationToken.None);

        (await PreparedAfterAsync(connection, runs: 1)).Should().BeFalse("a statement run once is not worth preparing");
        (await PreparedAfterAsync(connection, runs: 1)).Should().BeTrue("it ran a second time");
    }

    [TestCase("Max Auto Prepare=0", 6, false)]
    [TestCase("Auto Prepare Min Usages=5", 4, false)]
    [TestCase("Auto Prepare Min Usages=5", 5, true)]
    public async Task What_the_connection_string_says_of_preparation_wins(string setting, int runs, bool prepared)
    {
        await using var database = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var storage = new PostgresStorage($"{database.ConnectionString};{setting}");
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);

        (await PreparedAfterAsync(connection, runs)).Should().Be(prepared);
    }

    /// <summary>Whether the statement is prepared in the connection's session once it ran there <paramref name="runs"/> more times.</summary>
    private static async Task<bool> PreparedAfterAsync(DbConnection connection, int runs)
    {
        for (var i = 0; i < runs; i++) await connection.ExecuteScalarAsync<long>(Repeated, new { ids = new long[] { 1, 2 } });
        var statements = await connection.QueryAsync<string>("SELECT statement FROM pg_prepared_statements");
        return statements.Any(s => s.Contains("FROM customers WHERE id = ANY", StringComparison.Ordinal));
    }
}
