using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Automation.Storage;

/// <summary>
/// Lists in SQL: membership tests against a list bound as one parameter, and multi-row VALUES built by hand. Dapper
/// expands <c>IN @list</c> on SQLite but passes an array on PostgreSQL, so one SQL text for both needs explicit help.
/// </summary>
internal static class SqlLists
{
    /// <summary>
    /// Rows per multi-row write. On SQLite binding costs grow with the square of a statement's parameters:
    /// Microsoft.Data.Sqlite looks each parameter up by name, under up to four prefixes, and SQLite searches a
    /// statement's names one by one. A few rows a statement keeps that small while still saving most of the statements;
    /// PostgreSQL binds by position, so there a statement takes more rows and saves round trips.
    /// </summary>
    public static int RowsPerStatement(DbConnection connection) => connection is SqliteConnection ? 4 : 25;

    /// <summary>
    /// Statements per command, where each row needs its own statement. PostgreSQL runs them in one round trip; SQLite
    /// gains nothing from that and binds every parameter of the command for each statement, so there it is one.
    /// </summary>
    public static int StatementsPerCommand(DbConnection connection) => connection is SqliteConnection ? 1 : 25;

    /// <summary>
    /// A membership test against a whole list bound as one parameter, whatever its length: <c>= ANY(@name)</c> with an
    /// array on PostgreSQL, <c>IN (SELECT value FROM json_each(@name))</c> with a JSON array on SQLite. One parameter
    /// instead of one per value: binding is what made long <c>IN</c> lists slow, and reads need no chunking.
    /// </summary>
    public static string Any<T>(DbConnection connection, string name, IEnumerable<T> values, DynamicParameters parameters)
    {
        var list = values.ToArray();
        if (connection is SqliteConnection)
        {
            parameters.Add(name, JsonSerializer.Serialize(list));
            return $"IN (SELECT value FROM json_each(@{name}))";
        }
        parameters.Add(name, list);
        return $"= ANY(@{name})";
    }

    /// <summary><c>(@c0_0, @c0_1), (@c1_0, @c1_1)…</c> for the rows, one parameter per cell.</summary>
    public static string Values<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters)
    {
        var sql = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            var values = cells(rows[r]);
            for (var c = 0; c < values.Length; c++)
            {
                if (c > 0) sql.Append(", ");
                var name = $"v{r}_{c}";
                sql.Append('@').Append(name);
                parameters.Add(name, values[c]);
            }
            sql.Append(')');
        }
        return sql.ToString();
    }
}
