using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Automation.Storage.Migrations;

/// <summary>One numbered SQL script from <c>database/&lt;dialect&gt;/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>The database's schema is newer than this build knows: running it could corrupt data.</summary>
public sealed class SchemaTooNewException(int databaseVersion, int knownVersion) : Exception(
    $"The database schema is at version {databaseVersion}, but this build of Automation knows only up to version {knownVersion}. " +
    "Run the newer Automation that upgraded it, or point Storage:ConnectionString at another database.")
{
    public int DatabaseVersion { get; } = databaseVersion;
    public int KnownVersion { get; } = knownVersion;
}

/// <summary>
/// Applies the numbered migrations embedded in this assembly, each in its own transaction together with its
/// row in <c>schema_version</c>; safe to run from several nodes at once.
/// </summary>
public sealed partial class SchemaMigrator(AutomationStorage storage, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    /// <summary>The migrations this build carries for a dialect, in order.</summary>
    public static IReadOnlyList<Migration> Available(string dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"migrations/{dialect}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => Read(assembly, n, n[prefix.Length..]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary>Brings the schema up to date; returns the versions applied now.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = Available(storage.Dialect.Name);
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;

        await using var connection = await storage.OpenConnectionAsync(cancellationToken);
        await storage.Dialect.LockForMigrationAsync(connection, cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(storage.Dialect.CreateSchemaVersionTableSql, cancellationToken: cancellationToken));
            var current = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: cancellationToken)) ?? 0;
            if (current > known) throw new SchemaTooNewException(current, known);

            var applied = new List<Migration>();
            foreach (var migration in migrations.Where(m => m.Version > current))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @now)",
                    new { migration.Version, migration.Name, now = clock.GetUtcNow() },
                    transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, storage.Dialect.Name, migration.Version, migration.Name);
                applied.Add(migration);
            }
            return applied;
        }
        finally
        {
            await storage.Dialect.UnlockAfterMigrationAsync(connection, CancellationToken.None);
        }
    }

    private static Migration Read(Assembly assembly, string resource, string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var separator = stem.IndexOf('_');
        if (separator <= 0 || !int.TryParse(stem[..separator], out var version))
            throw new InvalidOperationException($"Migration '{fileName}' must be named NNNN_name.sql.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new Migration(version, stem[(separator + 1)..], reader.ReadToEnd());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Dialect} migration {Version:D4} {Name}")]
    private static partial void LogApplied(ILogger logger, string dialect, int version, string name);
}
