using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The SQLite file stops taking writes under the running server: clients are told to retry, readiness says so, and
/// both recover when the file does. The file is made immutable (<c>chattr +i</c>), which stops root too and also
/// writes through a descriptor opened before, unlike a read-only mode bit.
/// </summary>
public sealed class DatabaseUnwritableTests
{
    [Test]
    public async Task While_the_SQLite_file_refuses_writes_ingest_answers_503_and_the_server_is_not_ready()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var file = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z")));
        using var client = factory.CreateAuthorizedClient();
        Task<HttpResponseMessage> Track(string id) =>
            client.PostAsJsonAsync("/v1/track", new { userId = "ro", @event = "Page Viewed", messageId = id });

        (await Track("before")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        var files = new[] { file, file + "-wal" }.Where(File.Exists).ToArray();
        MakeImmutable(files, true);
        try
        {
            var refused = await Track("during");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
            refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
            var ready = await client.GetAsync("/health/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await ready.Content.ReadAsStringAsync());
            (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "the process itself is fine");
        }
        finally
        {
            MakeImmutable(files, false);
        }

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Track("after")).StatusCode.Should().Be(HttpStatusCode.OK);
        var events = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/v1/customers/ro");
        events.Should().NotBeNull();
    }

    private static void MakeImmutable(IEnumerable<string> files, bool immutable)
    {
        foreach (var file in files)
        {
            using var chattr = Process.Start(new ProcessStartInfo("chattr", [immutable ? "+i" : "-i", file]) { RedirectStandardError = true })!;
            chattr.WaitForExit();
            if (chattr.ExitCode != 0)
            {
                if (immutable) Assert.Ignore($"chattr +i needs CAP_LINUX_IMMUTABLE and ext2/3/4, xfs or btrfs: {chattr.StandardError.ReadToEnd()}");
                throw new InvalidOperationException($"chattr -i {file}: {chattr.StandardError.ReadToEnd()}");
            }
        }
    }
}
