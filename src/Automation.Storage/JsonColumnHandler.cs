using System.Data;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Automation.Storage;

/// <summary>
/// Maps JSON nodes to text columns on SQLite and <c>jsonb</c> on PostgreSQL, so both dialects share one SQL text.
/// </summary>
internal sealed class JsonColumnHandler<T> : SqlMapper.TypeHandler<T> where T : JsonNode
{
    public override void SetValue(IDbDataParameter parameter, T? value)
    {
        parameter.Value = value is null ? DBNull.Value : value.ToJsonString();
        if (parameter is NpgsqlParameter npgsql) npgsql.NpgsqlDbType = NpgsqlDbType.Jsonb;
    }

    public override T? Parse(object value) => value switch
    {
        string text => (T?)JsonNode.Parse(text),
        _ => throw new DataException($"Expected JSON text, got {value.GetType().Name}."),
    };
}

/// <summary>
/// Reads times from SQLite's text and PostgreSQL's <c>timestamptz</c> alike, always as UTC.
/// Writes are UTC too, which keeps SQLite's text sortable in time order.
/// </summary>
internal sealed class UtcTimeHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();

    public override DateTimeOffset Parse(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime(),
        _ => throw new DataException($"Expected a time, got {value.GetType().Name}."),
    };
}

internal static class DapperSetup
{
    private static int _done;

    /// <summary>Registers the handlers once per process (Dapper's registry is static).</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new JsonColumnHandler<JsonObject>());
        SqlMapper.AddTypeHandler(new JsonColumnHandler<JsonArray>());
        SqlMapper.AddTypeHandler(new UtcTimeHandler());
    }
}
