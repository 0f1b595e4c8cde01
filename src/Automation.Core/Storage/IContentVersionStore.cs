using System.Security.Cryptography;
using Automation.Core.Audit;

namespace Automation.Core.Storage;

/// <summary>
/// A file of a published version: its path under the content root (<c>rules/welcome.json</c>,
/// <c>templates/welcome/hello.email.liquid</c>, always with <c>/</c>) and the SHA-256 of its bytes, lower-case hex:
/// the same hash a draft's <see cref="ContentDraft.BaseHash"/> and a journey instance's version carry.
/// </summary>
public sealed record ContentFileRef(string Path, string Hash);

/// <summary>A file to publish: its path under the content root and its exact bytes (exported back byte for byte).</summary>
public sealed record ContentFile(string Path, byte[] Bytes)
{
    public string Hash { get; } = HashOf(Bytes);

    /// <summary>The SHA-256 of the bytes as lower-case hex.</summary>
    public static string HashOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>
/// One published version of the whole content (every rule and template file): who published it, when, why, and, for a
/// rollback, the version whose files it published again. Versions are numbered from 1 in the order they were published.
/// </summary>
public sealed record ContentVersion(long Id, DateTimeOffset PublishedAt, string Author, string Message, long? RestoredFrom,
    IReadOnlyList<ContentFileRef> Files);

/// <summary>One version in a file's history: the version and the file's hash in it (null where that version removed it).</summary>
public sealed record ContentFileChange(long Version, DateTimeOffset PublishedAt, string Author, string Message, string? Hash);

/// <summary>What a publish asks for, beside its files.</summary>
/// <param name="BaseVersion">The version the publisher started from (0 before any): a publish over any other head is refused.</param>
/// <param name="RestoredFrom">For a rollback, the earlier version whose files are published again.</param>
public sealed record ContentPublication(long BaseVersion, string Author, string Message, DateTimeOffset At, long? RestoredFrom = null);

/// <summary>
/// The published content, in the database so that every node runs the same version: versions of the complete set of
/// files, the files' bytes by hash (stored once however many versions hold them), and the head, the version now
/// published. The head moves by compare-and-set in the statement that moves it (<c>UPDATE … WHERE version =
/// @base</c>): of two publishes from the same base, exactly one wins and the other is told.
/// </summary>
public interface IContentVersionStore
{
    /// <summary>The version now published, with its files; null before the first publish.</summary>
    Task<ContentVersion?> HeadAsync(CancellationToken cancellationToken);

    /// <summary>The version with its files; null when there is none.</summary>
    Task<ContentVersion?> FindVersionAsync(long id, CancellationToken cancellationToken);

    /// <summary>Versions newest first, older than <paramref name="before"/> when given, at most <paramref name="limit"/>; their <see cref="ContentVersion.Files"/> empty.</summary>
    Task<IReadOnlyList<ContentVersion>> VersionsAsync(long? before, int limit, CancellationToken cancellationToken);

    /// <summary>The bytes of the file with the hash; null when no version held it.</summary>
    Task<byte[]?> FindBlobAsync(string hash, CancellationToken cancellationToken);

    /// <summary>The versions that added, changed or removed the file at the path, newest first.</summary>
    Task<IReadOnlyList<ContentFileChange>> HistoryAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes <paramref name="files"/> as the complete content of a new version and moves the head to it, if the
    /// head is still <see cref="ContentPublication.BaseVersion"/>; the audit entry, if any, is written in the same
    /// transaction. Returns the new version, or null when the head moved since (nothing written).
    /// </summary>
    Task<ContentVersion?> PublishAsync(IReadOnlyList<ContentFile> files, ContentPublication publication, AuditEntry? audit, CancellationToken cancellationToken);
}
