using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace Automation.Tests.Support;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd, storing what it receives in a Maildir so tests can parse it
/// back. scripts/test.sh installs python3-aiosmtpd; under CI its absence fails the test.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly DirectoryInfo _maildir;
    private Process? _process;

    private SmtpServer(int port)
    {
        Port = port;
        _maildir = Directory.CreateTempSubdirectory("automation-maildir-");
        // A Maildir that exists must already have its three folders.
        foreach (var folder in new[] { "new", "cur", "tmp" }) _maildir.CreateSubdirectory(folder);
    }

    public int Port { get; }

    public static async Task<SmtpServer> StartAsync(int? port = null)
    {
        Require();
        var server = new SmtpServer(port ?? ServerProcess.FreePort());
        await server.StartAsync();
        return server;
    }

    /// <summary>Fails under CI, skips elsewhere, when aiosmtpd is not installed.</summary>
    public static void Require()
    {
        var check = Process.Start(new ProcessStartInfo(Python, "-c \"import aiosmtpd\"") { RedirectStandardError = true, UseShellExecute = false });
        check?.WaitForExit();
        if (check is { ExitCode: 0 }) return;
        const string why = "Email tests need Debian's python3-aiosmtpd (scripts/test.sh installs it).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
        Assert.Ignore(why);
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", _maildir.FullName })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(15);)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new AssertionException($"aiosmtpd did not listen on {Port}: {await _process.StandardError.ReadToEndAsync()}");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process = null;
    }

    /// <summary>The messages received so far, parsed.</summary>
    public IReadOnlyList<MimeMessage> Received()
    {
        var folder = Path.Combine(_maildir.FullName, "new");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Select(f => MimeMessage.Load(f)).ToList() : [];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _maildir.Delete(recursive: true);
    }
}
