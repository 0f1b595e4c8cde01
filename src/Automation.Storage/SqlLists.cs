using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Many rows in one statement: multi-row <c>VALUES</c> built by hand, one parameter per cell, the same text on every
/// database, each taking <see cref="SqlDialect.RowsPerStatement"/> rows a statement; and for inserts, the rows as one
/// parameter whatever their number — a text array a column unnested on PostgreSQL, a JSON array of rows on SQLite
/// (<see cref="SqlDialect.InsertRows{T}"/> picks).
/// </summary>
internal static class SqlLists
{
    /// <summary>
    /// <c>(@v0_0, @v0_1), (@v1_0, @v1_1)…</c> for the rows, one parameter per cell.
    /// </summary>
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

    /// <summary>
    /// <c>SELECT c0::type0, c1::type1… FROM unnest(@u0::text[], @u1::text[]…)</c>: the rows as one text array a column,
    /// for PostgreSQL. A statement of any number of rows binds as many parameters as there are columns and is parsed
    /// and planned once, where <see cref="Values{T}"/> binds one a cell (a group's 100 events: 800 parameters in 4
    /// statements). Cells travel as their invariant text, times as UTC to the microsecond (what timestamptz keeps).
    /// </summary>
    public static string Unnest<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, params string[] types)
    {
        var columns = new string?[types.Length][];
        for (var c = 0; c < types.Length; c++) columns[c] = new string?[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var values = cells(rows[r]);
            if (values.Length != types.Length) throw new ArgumentException($"A row has {values.Length} cells for {types.Length} columns.", nameof(cells));
            for (var c = 0; c < values.Length; c++) columns[c][r] = Text(values[c]);
        }
        var select = new StringBuilder("SELECT ");
        var arrays = new StringBuilder();
        for (var c = 0; c < types.Length; c++)
        {
            if (c > 0)
            {
                select.Append(", ");
                arrays.Append(", ");
            }
            select.Append('c').Append(c).Append("::").Append(types[c]);
            arrays.Append("@u").Append(c).Append("::text[]");
            parameters.Add($"u{c}", columns[c]);
        }
        return $"{select} FROM unnest({arrays}) AS rows({string.Join(", ", Enumerable.Range(0, types.Length).Select(c => $"c{c}"))})";
    }

    /// <summary>
    /// <c>SELECT value -&gt;&gt; 0, value -&gt;&gt; 1… FROM json_each(@rows) WHERE true</c>: the rows as one JSON array of
    /// rows, for SQLite, whose binding costs grow with the square of a statement's parameters (Microsoft.Data.Sqlite
    /// looks each one up by name, and SQLite searches a statement's names one by one) and which prepares every
    /// statement again. Each cell is written as the value Microsoft.Data.Sqlite would bind: integers (booleans as 1
    /// and 0) and reals as JSON numbers, which <c>-&gt;&gt;</c> returns as SQL integers and reals; times (UTC),
    /// decimals and JSON as the text it writes for them. The <c>WHERE</c> keeps an <c>INSERT … SELECT</c>'s
    /// <c>ON CONFLICT</c> from being read as a join's <c>ON</c>.
    /// </summary>
    public static string JsonRows<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, int columns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                var values = cells(row);
                if (values.Length != columns) throw new ArgumentException($"A row has {values.Length} cells for {columns} columns.", nameof(cells));
                json.WriteStartArray();
                foreach (var value in values) WriteCell(json, value);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        parameters.Add("rows", Encoding.UTF8.GetString(buffer.WrittenSpan));
        return $"SELECT {string.Join(", ", Enumerable.Range(0, columns).Select(c => $"value ->> {c}"))} FROM json_each(@rows) WHERE true";
    }

    private static void WriteCell(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string text: json.WriteStringValue(text); break;
            case long number: json.WriteNumberValue(number); break;
            case int number: json.WriteNumberValue(number); break;
            case bool flag: json.WriteNumberValue(flag ? 1 : 0); break;
            case double real: json.WriteNumberValue(real); break;
            case decimal amount: json.WriteStringValue(amount.ToString("0.0###########################", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset time: json.WriteStringValue(time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)); break;
            case JsonNode node: json.WriteStringValue(node.ToJsonString()); break;
            default: throw new ArgumentException($"No SQLite value for a cell of type {value.GetType().Name}.", nameof(value));
        }
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        JsonNode json => json.ToJsonString(),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"No text form for a cell of type {value.GetType().Name}.", nameof(value)),
    };
}
