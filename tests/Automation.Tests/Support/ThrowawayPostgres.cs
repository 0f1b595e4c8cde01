using System.Diagnostics;
using Npgsql;

namespace Automation.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of its own for a test that stops and starts the database: the shared cluster of
/// scripts/test.sh serves every other test and must stay up. Made with initdb in a temporary folder and run on a free
/// loopback port, as the <c>postgres</c> user when the tests run as root (PostgreSQL refuses to run as root).
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly DirectoryInfo _root;

    private ThrowawayPostgres(string bin, DirectoryInfo root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    private string Data => Path.Combine(_root.FullName, "data");

    /// <summary>Connection string of a database on this cluster.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ToString();

    /// <summary>Initialises and starts a cluster; fails under CI and skips elsewhere when PostgreSQL is not installed.</summary>
    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var bin = FindBin();
        if (bin is null)
        {
            const string why = "This test needs PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin; scripts/test.sh installs them).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
            Assert.Ignore(why);
        }
        var root = Directory.CreateTempSubdirectory("automation-pg-restart-");
        if (IsRoot) await RunAsync("chown", ["-R", "postgres", root.FullName], asPostgres: false);
        var cluster = new ThrowawayPostgres(bin!, root, ServerProcess.FreePort());
        await RunAsync(Path.Combine(bin!, "initdb"), ["-D", cluster.Data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"]);
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Starts the stopped cluster again and waits until it takes connections.</summary>
    public Task StartServerAsync() => RunAsync(Path.Combine(_bin, "pg_ctl"),
        ["-D", Data, "-l", Path.Combine(_root.FullName, "server.log"), "-w", "-t", "60",
         "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root.FullName} -c fsync=off -c max_connections=100", "start"]);

    /// <summary>Stops the cluster as an operator's restart does: <c>-m fast</c> ends open sessions, rolling back their transactions.</summary>
    public Task StopServerAsync() => RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBin()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        foreach (var version in versions)
        {
            var bin = Path.Combine(version, "bin");
            if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl"))) return bin;
        }
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"))) return folder;
        }
        return null;
    }

    private static async Task RunAsync(string program, string[] args, bool asPostgres = true)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (asPostgres && IsRoot)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(arg);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new AssertionException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);
            }
            catch (AssertionException)
            {
                // already stopped
            }
        }
        _root.Delete(recursive: true);
    }
}
