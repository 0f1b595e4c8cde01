using System.Data;
using System.Text;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Multi-row <c>VALUES</c> built by hand, one parameter per cell: the same text on every database, each taking
/// <see cref="SqlDialect.RowsPerStatement"/> rows a statement.
/// </summary>
internal static class SqlLists
{
    /// <summary>
    /// <c>(@v0_0, @v0_1), (@v1_0, @v1_1)…</c> for the rows, one parameter per cell. <paramref name="types"/> types the
    /// nulls of columns that can be null (other values keep their type handlers) where the rows are not inserted
    /// straight into a table (a <c>VALUES</c> list joined in an UPDATE): PostgreSQL would type a column of nulls as text.
    /// </summary>
    public static string Values<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, params DbType?[] types)
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
                parameters.Add(name, values[c] is null && c < types.Length && types[c] is { } type ? new TypedNull(type) : values[c]);
            }
            sql.Append(')');
        }
        return sql.ToString();
    }

    /// <summary>
    /// A null of a given type. Given a type, Dapper reads the parameter's type back to compare it, and for a null Npgsql
    /// works that out through its global type mapper on every read, uncached: 15 % of ingestion's CPU on PostgreSQL.
    /// </summary>
    private sealed class TypedNull(DbType type) : SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(IDbCommand command, string name)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}
