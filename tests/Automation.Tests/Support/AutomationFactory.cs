using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Support;

/// <summary>The real server, in memory, on a test database and a fake clock.</summary>
/// <param name="connectionString">Overrides the database's own, for example to reach it through a <see cref="TcpProxy"/>.</param>
public sealed class AutomationFactory(TestDatabase database, FakeTimeProvider clock, string? connectionString = null,
    IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-0123456789abcdef";

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("automation-root-").FullName;

    /// <summary>The server's content root, where its rules/ and templates/ folders are.</summary>
    public string ContentRoot => _contentRoot;

    /// <summary>Copies the repository's rules/ and templates/ into the content root.</summary>
    public AutomationFactory WithShippedJourneys()
    {
        foreach (var folder in new[] { "rules", "templates" })
        {
            var source = Path.Combine(ServerProcess.RepositoryRoot(), folder);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(_contentRoot, folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(_contentRoot);
        builder.UseSetting("Storage:Provider", database.Provider);
        builder.UseSetting("Storage:ConnectionString", connectionString ?? database.ConnectionString);
        builder.UseSetting("Api:Keys:0", ApiKey);
        builder.UseSetting("Scheduler:Enabled", "false");
        builder.UseSetting("Rules:ReloadSeconds", "1");
        builder.UseSetting("Messaging:Dispatch", "false");
        builder.UseSetting("Messaging:SigningKey", Convert.ToBase64String(new byte[32]));
        // As the shipped appsettings.json sets it: the zh-CN SMS templates sign with it.
        builder.UseSetting("Templates:SignName", "示例小店");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateAuthorizedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_contentRoot)) Directory.Delete(_contentRoot, recursive: true);
    }
}
