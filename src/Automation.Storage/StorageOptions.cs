using Microsoft.Extensions.Options;
using Npgsql;

namespace Automation.Storage;

/// <summary>The <c>Storage</c> section of appsettings.json.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default, embedded, one node) or <c>postgres</c> (several nodes).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// For SQLite, a Microsoft.Data.Sqlite connection string whose relative <c>Data Source</c> is taken from the
    /// content root (default <c>data/automation.db</c>). For PostgreSQL, an Npgsql connection string (required).
    /// </summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Stops start-up on a bad <c>Storage</c> setting with a message naming it.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        switch (options.Provider)
        {
            case StorageOptions.Sqlite:
                return ValidateOptionsResult.Success;
            case StorageOptions.Postgres when string.IsNullOrWhiteSpace(options.ConnectionString):
                return ValidateOptionsResult.Fail("Storage:ConnectionString is required when Storage:Provider is 'postgres' (for example 'Host=127.0.0.1;Database=automation;Username=automation;Password=…').");
            case StorageOptions.Postgres:
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                    return ValidateOptionsResult.Success;
                }
                catch (ArgumentException e)
                {
                    return ValidateOptionsResult.Fail($"Storage:ConnectionString is not a PostgreSQL connection string such as 'Host=…;Database=…;Username=…' ({e.Message}).");
                }
            default:
                return ValidateOptionsResult.Fail($"Storage:Provider must be 'sqlite' or 'postgres', not '{options.Provider}'.");
        }
    }
}
