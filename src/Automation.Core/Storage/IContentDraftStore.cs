namespace Automation.Core.Storage;

/// <summary>
/// A user's unpublished edit of one content file (<see cref="Path"/> under the content root, such as
/// <c>rules/welcome.json</c>): the text as last saved, the SHA-256 of the published file it started from
/// (<see cref="BaseHash"/>, empty for a new file) and the revision a save must name to replace it.
/// </summary>
public sealed record ContentDraft(string User, string Path, string BaseHash, string Content, DateTimeOffset UpdatedAt, long Revision);

/// <summary>
/// The console editor's drafts, one per user and path. A save names the revision it read: the statement that writes
/// compares it (<c>UPDATE … WHERE revision = @revision</c>), so of two saves from the same revision exactly one wins
/// and the other is told, never silently overwritten.
/// </summary>
public interface IContentDraftStore
{
    /// <summary>The user's draft of the path; null when there is none.</summary>
    Task<ContentDraft?> FindDraftAsync(string user, string path, CancellationToken cancellationToken);

    /// <summary>The user's drafts, newest first.</summary>
    Task<IReadOnlyList<ContentDraft>> DraftsOfAsync(string user, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="content"/> as the user's draft of the path: with <paramref name="revision"/> 0 a new draft
    /// started from <paramref name="baseHash"/>, otherwise over the draft at that revision (its base is kept). Returns
    /// the saved draft (its revision one more), or null when the draft is not at that revision (another tab or window
    /// saved since, or the draft was started or discarded elsewhere).
    /// </summary>
    Task<ContentDraft?> SaveDraftAsync(string user, string path, string baseHash, string content, long revision, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the user's draft of the path if it is still at <paramref name="revision"/>; whether it did.</summary>
    Task<bool> DiscardDraftAsync(string user, string path, long revision, CancellationToken cancellationToken);
}
