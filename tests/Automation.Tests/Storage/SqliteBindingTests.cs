using System.Text.Json.Nodes;
using Automation.Storage;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Automation.Tests.Storage;

/// <summary>
/// SQLite's statements as Microsoft.Data.Sqlite and Dapper run them: rows inserted from one JSON parameter
/// (<see cref="SqlLists.JsonRows{T}"/>) must store exactly what a parameter a cell stored before — the same storage
/// class and the same text, or a time written one way would never equal one written the other — and a read's
/// command must leave no prepared statement behind for the finalizer thread to free under the connection's lock.
/// </summary>
public sealed class SqliteBindingTests
{
    [Test]
    public async Task A_row_from_the_json_parameter_stores_what_a_bound_cell_stores()
    {
        DapperSetup.EnsureRegistered();
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        object?[] cells =
        [
            null, "含\"引号\", {括号}\\ and a tab\t", "", long.MaxValue, -7L, 42, true, false, 0.1, 12.50m, 0m, -3.14159265358979m,
            new DateTimeOffset(2026, 8, 31, 23, 30, 15, TimeSpan.FromHours(8)).AddTicks(17), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new JsonObject { ["sku"] = "S-1", ["price"] = 12.5m }, new JsonArray(1, "两"),
        ];
        var p = new DynamicParameters();
        var rows = SqlLists.JsonRows([cells], row => row, p, cells.Length);
        var stored = (await connection.QueryAsync($"""
            WITH r ({string.Join(", ", cells.Select((_, i) => $"c{i}"))}) AS ({rows})
            SELECT {string.Join(", ", cells.Select((_, i) => $"typeof(c{i}) AS t{i}, c{i} AS v{i}"))} FROM r
            """, p)).Single() as IDictionary<string, object?>;

        for (var i = 0; i < cells.Length; i++)
        {
            // A member typed object skips Dapper's type handlers: bound here as UtcTimeHandler and JsonColumnHandler bind.
            var cell = cells[i] switch { DateTimeOffset time => time.ToUniversalTime(), JsonNode json => json.ToJsonString(), var other => other };
            var bound = (await connection.QueryAsync("SELECT typeof(@cell) AS t, @cell AS v", new { cell })).Single() as IDictionary<string, object?>;
            stored![$"t{i}"].Should().Be(bound!["t"], $"cell {i} ({cells[i]?.GetType().Name ?? "null"}) keeps its storage class");
            stored[$"v{i}"].Should().Be(bound["v"], $"cell {i} ({cells[i]?.GetType().Name ?? "null"}) keeps its value");
        }
    }

    [Test]
    public async Task Rows_read_through_buffered_rows_or_a_grid_leave_no_prepared_statement_behind()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);");
        SQLitePCL.raw.sqlite3_next_stmt(connection.Handle, null).Should().BeNull("nothing is running before the read");

        var read = await BufferedRows.QueryAsync<long>(connection, new CommandDefinition("SELECT n FROM t ORDER BY n"));
        await using (var results = await BufferedRows.ExecuteAsync(connection, new CommandDefinition("SELECT n FROM t; SELECT COUNT(*) FROM t")))
        {
            (await results.ReadAsync<long>(CancellationToken.None)).Should().Equal(1, 2, 3);
            (await results.ReadAsync<long>(CancellationToken.None)).Should().Equal(3);
        }

        await using (var grid = await connection.QueryMultipleAsync("SELECT n FROM t; SELECT COUNT(*) FROM t"))
        {
            (await grid.ReadAsync<long>()).Should().Equal(1, 2, 3);
            (await grid.ReadSingleAsync<long>()).Should().Be(3);
        }

        read.Should().Equal(1, 2, 3);
        SQLitePCL.raw.sqlite3_next_stmt(connection.Handle, null).Should().BeNull("every command was disposed with its reader");
    }
}
