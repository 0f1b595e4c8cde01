using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Automation.Console.Tests;

/// <summary>
/// The built <c>automation</c> server as a process on a loopback port, on SQLite, with a copy of the shipped rules and
/// templates in which <c>rules/birthday.json</c> is broken, a console user made with <c>automation console-user</c>,
/// and seeded customers plus one known one.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    public const string UserName = "tester";
    public const string Password = "a-long-test-password-1";
    public const string ApiKey = "console-test-key-0123456789";
    public const string KnownEmail = "ann.console@example.com";
    public const string KnownPhone = "+14155550199";
    public const string KnownId = "ann-console";

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ConsoleServer(DirectoryInfo root, Process process, string url)
    {
        Root = root;
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Url = url;
    }

    public DirectoryInfo Root { get; }
    public string Url { get; }

    public static async Task<ConsoleServer> StartAsync()
    {
        var repository = RepositoryRoot();
        var root = Directory.CreateTempSubdirectory("automation-console-");
        foreach (var folder in new[] { "rules", "templates" })
        {
            var source = Path.Combine(repository, folder);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root.FullName, folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        BreakJourney(Path.Combine(root.FullName, "rules", "birthday.json"));

        var (code, entry, errors) = await RunAsync(root.FullName, Password + "\n", "console-user", UserName);
        if (code != 0) throw new InvalidOperationException($"automation console-user failed: {errors}");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var settings = new JsonObject
        {
            ["Urls"] = url,
            ["Storage"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = "Data Source=data/automation.db" },
            ["Api"] = new JsonObject { ["Keys"] = new JsonArray(ApiKey) },
            ["Scheduler"] = new JsonObject { ["Enabled"] = false },
            ["Messaging"] = new JsonObject { ["Dispatch"] = false },
            ["Rules"] = new JsonObject { ["ReloadSeconds"] = 1 },
            ["Console"] = new JsonObject { ["Users"] = new JsonArray(JsonNode.Parse(entry)), ["SessionMinutes"] = 60 },
        };
        await File.WriteAllTextAsync(Path.Combine(root.FullName, "appsettings.json"), settings.ToJsonString());

        (code, _, errors) = await RunAsync(root.FullName, "", "seed", "--customers", "40", "--days", "60");
        if (code != 0) throw new InvalidOperationException($"automation seed failed: {errors}");

        var server = new ConsoleServer(root, Start(root.FullName), url);
        await server.WaitUntilReadyAsync();
        await server.IdentifyKnownCustomerAsync();
        return server;
    }

    /// <summary>Makes the first rule's expression name a field that does not exist: the file is invalid at that rule's line.</summary>
    public static void BreakJourney(string file)
    {
        const string expression = "\"Expression\": \"";
        var text = File.ReadAllText(file);
        var at = text.IndexOf(expression, StringComparison.Ordinal) + expression.Length;
        File.WriteAllText(file, string.Concat(text.AsSpan(0, at), "journey.NoSuchField > 0 && ", text.AsSpan(at)));
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Automation.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Automation.sln not found above the test binaries.");
    }

    private async Task IdentifyKnownCustomerAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        var response = await http.PostAsJsonAsync("/v1/identify", new
        {
            userId = KnownId,
            traits = new { email = KnownEmail, phone = KnownPhone, name = "Ann Console", timezone = "Europe/Paris" },
        });
        response.EnsureSuccessStatusCode();
        response = await http.PostAsJsonAsync("/v1/track", new
        {
            userId = KnownId,
            @event = "Product Added",
            properties = new { product_id = "tea-100g", name = "Green tea", price = 21.25, quantity = 2 },
        });
        response.EnsureSuccessStatusCode();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo Command(string contentRoot, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = contentRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "automation.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        return start;
    }

    private static Process Start(string contentRoot) => Process.Start(Command(contentRoot, []))!;

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string contentRoot, string input, params string[] args)
    {
        using var process = Process.Start(Command(contentRoot, args))!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited) throw new InvalidOperationException($"server exited with {_process.ExitCode}: {await _stderr}");
            try
            {
                if ((await http.GetAsync($"{Url}/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"server not ready at {Url}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Root.Delete(recursive: true);
    }
}
