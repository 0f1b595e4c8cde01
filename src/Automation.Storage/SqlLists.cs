using System.Text;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Builds parameter lists and multi-row VALUES by hand. Dapper expands <c>IN @list</c> on SQLite but passes an
/// array on PostgreSQL, so one SQL text for both needs explicit parameters.
/// </summary>
internal static class SqlLists
{
    /// <summary>
    /// Rows per multi-row statement. Binding cost grows faster than linearly with the parameter count (Dapper and
    /// Microsoft.Data.Sqlite look parameters up by name), so small chunks measured fastest on SQLite.
    /// </summary>
    public const int RowsPerStatement = 25;

    /// <summary><c>(@p0, @p1, …)</c>, or <c>(NULL)</c> for no values, which matches nothing.</summary>
    public static string In<T>(string prefix, IEnumerable<T> values, DynamicParameters parameters)
    {
        var sql = new StringBuilder("(");
        var i = 0;
        foreach (var value in values)
        {
            if (i > 0) sql.Append(", ");
            var name = $"{prefix}{i++}";
            sql.Append('@').Append(name);
            parameters.Add(name, value);
        }
        return i == 0 ? "(NULL)" : sql.Append(')').ToString();
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
