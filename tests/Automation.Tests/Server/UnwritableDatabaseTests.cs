using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The embedded database's disk fills up under the running server, and then has room again: clients are told to
/// retry, readiness says so, and nothing acknowledged is lost.
/// </summary>
[NonParallelizable]
public sealed class UnwritableDatabaseTests
{
    private string? _mount;

    private void MountFileSystem()
    {
        _mount = Directory.CreateTempSubdirectory("automation-ro-").FullName;
        // A small file system of its own, to fill up: root can mount one, and the test needs it.
        if (Run("mount", $"-t tmpfs -o size=64m tmpfs {_mount}") != 0)
        {
            const string why = "A file system to fill up needs root (mount -t tmpfs).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
            Assert.Ignore(why);
        }
    }

    [TearDown]
    public void Unmount()
    {
        if (_mount is null) return;
        Run("umount", $"-l {_mount}");
        Directory.Delete(_mount, recursive: true);
        _mount = null;
    }

    private static int Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    [Test]
    public async Task A_full_disk_under_the_sqlite_file_answers_503_with_retry_after_and_is_not_ready_until_there_is_room_again()
    {
        MountFileSystem();
        var mount = _mount!;
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        var connectionString = $"Data Source={Path.Combine(mount, "automation.db")}";
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)), connectionString);
        using var client = factory.CreateAuthorizedClient();
        Task<HttpResponseMessage> Send(string id) => client.PostAsJsonAsync("/v1/batch", new
        {
            batch = Enumerable.Range(0, 50).Select(i => new { type = "track", userId = $"full-{i}", @event = "Page Viewed", messageId = $"{id}-{i}", properties = new { padding = new string('x', 2000) } }),
        });

        (await Send("before")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        var filler = Path.Combine(mount, "filler");
        Fill(filler);
        var refused = await Send("during");
        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
        refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);

        File.Delete(filler);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Send("during")).StatusCode.Should().Be(HttpStatusCode.OK, "the client's retry is taken");
        (await Send("after")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"{connectionString};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM events";
        ((long)(await count.ExecuteScalarAsync())!).Should().Be(150, "every acknowledged message, each once");
    }

    [Test]
    public async Task A_read_only_sqlite_file_is_not_writable_and_its_refusal_is_the_retryable_kind()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        (await db.Storage.WriteProblemAsync(CancellationToken.None)).Should().BeNull();

        using var readOnly = new Automation.Storage.Sqlite.SqliteStorage($"{db.ConnectionString};Mode=ReadOnly");
        (await readOnly.IsReachableAsync(CancellationToken.None)).Should().BeTrue();
        (await readOnly.WriteProblemAsync(CancellationToken.None)).Should().Contain("does not take writes");
        var refusal = Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(async () =>
        {
            await using var tx = await readOnly.BeginAsync(CancellationToken.None);
            await tx.CreateCustomersAsync([new Automation.Core.Storage.NewCustomer("ro-1", null)], TimeProvider.System.GetUtcNow(), CancellationToken.None);
        })!;
        TransientFailures.IsTransient(refusal).Should().BeTrue(refusal.Message);
    }

    /// <summary>Writes zeros until the file system has no room left.</summary>
    private static void Fill(string path)
    {
        var block = new byte[1 << 20];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // Full: what is left is less than a block; take it too.
            for (var size = block.Length / 2; size >= 512; size /= 2)
            {
                try
                {
                    while (true) file.Write(block, 0, size);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
