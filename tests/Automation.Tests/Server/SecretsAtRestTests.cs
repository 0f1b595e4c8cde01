using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Storage.Sqlite;

namespace Automation.Tests.Server;

/// <summary>The signing key and the embedded database are created readable by the server's user alone.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsAtRestTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Test]
    public void A_generated_signing_key_is_readable_by_its_owner_alone_and_read_back_the_same()
    {
        var root = Directory.CreateTempSubdirectory("automation-key-");
        try
        {
            var key = SigningKey.Load(new MessagingOptions(), root.FullName);
            var file = Path.Combine(root.FullName, "data", "signing.key");
            File.GetUnixFileMode(file).Should().Be(OwnerOnly);
            SigningKey.Load(new MessagingOptions(), root.FullName).Should().Equal(key);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_new_sqlite_database_and_its_wal_are_readable_by_their_owner_alone()
    {
        var root = Directory.CreateTempSubdirectory("automation-db-");
        try
        {
            var file = Path.Combine(root.FullName, "automation.db");
            using (var storage = new SqliteStorage($"Data Source={file}"))
            {
                await new Automation.Storage.Migrations.SchemaMigrator(storage, TimeProvider.System,
                    Microsoft.Extensions.Logging.Abstractions.NullLogger<Automation.Storage.Migrations.SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
                foreach (var part in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
                    File.GetUnixFileMode(part).Should().Be(OwnerOnly, part);
                File.Exists(file + "-wal").Should().BeTrue("the database is in WAL mode while open");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            root.Delete(recursive: true);
        }
    }
}
