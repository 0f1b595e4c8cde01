using Automation.Core;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// With <c>Content:Source=database</c>: the version published in the database, held in memory and served as the rules
/// and templates folders, so every node runs the same files. Looked at every <c>Content:PollSeconds</c>; when the head
/// moves, the new version's files are read (bytes cached by hash) and the folders' change token fires, which the
/// reloader follows as it follows edits on disk — a broken file keeps its last good version running.
/// </summary>
internal sealed class PublishedContent(IContentVersionStore store) : IDisposable
{
    private sealed record Snapshot(long Version, SnapshotFileProvider Rules, SnapshotFileProvider Templates, CancellationTokenSource Changed);

    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private Snapshot _current = Empty();

    /// <summary>The version served now; 0 before any is published.</summary>
    public long Version => Volatile.Read(ref _current).Version;

    /// <summary>One of the two folders as the server reads it.</summary>
    public IFileProvider Folder(string name) => new FolderView(this, name);

    /// <summary>Reads the head again; serves it and fires the change token when it moved. Returns whether it did.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            var head = await store.HeadAsync(ct);
            var current = Volatile.Read(ref _current);
            if ((head?.Id ?? 0) == current.Version) return false;
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var file in head!.Files)
            {
                if (!_blobs.TryGetValue(file.Hash, out var bytes))
                    _blobs[file.Hash] = bytes = await store.FindBlobAsync(file.Hash, ct) ?? throw new InvalidOperationException($"Version {head.Id}: the bytes of {file.Path} are missing.");
                files[file.Path] = bytes;
            }
            var set = new ContentSet(files);
            Volatile.Write(ref _current, new Snapshot(head.Id, new SnapshotFileProvider(set.Under(ContentSet.Rules), head.PublishedAt),
                new SnapshotFileProvider(set.Under(ContentSet.Templates), head.PublishedAt), new CancellationTokenSource()));
            await current.Changed.CancelAsync();
            return true;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public void Dispose()
    {
        _refreshing.Dispose();
        Volatile.Read(ref _current).Changed.Dispose();
    }

    private static Snapshot Empty()
    {
        var none = new SnapshotFileProvider(new Dictionary<string, byte[]>(), DateTimeOffset.MinValue);
        return new Snapshot(0, none, none, new CancellationTokenSource());
    }

    /// <summary>A folder of whatever version is served when asked: each call reads the snapshot current then.</summary>
    private sealed class FolderView(PublishedContent content, string name) : IFileProvider
    {
        private SnapshotFileProvider Files
        {
            get
            {
                var snapshot = Volatile.Read(ref content._current);
                return name == ContentSet.Rules ? snapshot.Rules : snapshot.Templates;
            }
        }

        public IFileInfo GetFileInfo(string subpath) => Files.GetFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => Files.GetDirectoryContents(subpath);

        public IChangeToken Watch(string filter) => new CancellationChangeToken(Volatile.Read(ref content._current).Changed.Token);
    }
}

/// <summary>
/// Loads the published content before the journeys are first read (after the schema is migrated), importing the
/// folders on disk as version 1 when the database has none — once across nodes, as a publish from version 0 — then
/// looks for a new version every <c>Content:PollSeconds</c>.
/// </summary>
internal sealed partial class PublishedContentService(PublishedContent content, IContentVersionStore store, IConfiguration configuration,
    IHostEnvironment environment, IOptions<ContentOptions> options, TimeProvider clock, ILogger<PublishedContentService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await store.HeadAsync(cancellationToken) is null)
        {
            using var disk = JourneyFiles.From(configuration, environment.ContentRootPath, new Jobs.QuartzCronSchedule());
            var files = disk.Content();
            if (files.Files.Count > 0
                && await store.PublishAsync(files.ToFiles(), new ContentPublication(0, "import", "imported from disk", clock.GetUtcNow()), null, cancellationToken) is { } imported)
                LogImported(logger, imported.Id, imported.Files.Count);
        }
        await content.RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            try
            {
                if (await content.RefreshAsync(stoppingToken)) LogServing(logger, content.Version);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported the content folders as version {Version} ({Files} files)")]
    private static partial void LogImported(ILogger logger, long version, int files);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving published content version {Version}")]
    private static partial void LogServing(ILogger logger, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for a newly published content version failed; the version served keeps running")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
