using Automation.Core;
using Automation.Core.Journeys;
using Automation.Server.Hosting;

namespace Automation.Tests.Support;

/// <summary>Folders and rule files on disk, read through the provider the server uses.</summary>
public static class DiskFiles
{
    /// <summary>A folder on disk as Core reads it, named by <paramref name="path"/>.</summary>
    public static ContentFolder Folder(string path) => DiskFolderProvider.Open(path);

    /// <summary>Reads a rule file (tags.json, tiers.json or another name) at a path on disk; returns its problems.</summary>
    public static IReadOnlyList<JourneyProblem> ReloadFile<T>(this LastGoodFile<T> catalog, string file) where T : class =>
        catalog.Reload(Folder(Path.GetDirectoryName(file)!), Path.GetFileName(file));

    /// <summary>Reads a folder of rule files (rules/coupons) at a path on disk; returns their problems.</summary>
    public static IReadOnlyList<JourneyProblem> ReloadFolder<T>(this LastGoodFolder<T> catalog, string folder) where T : class =>
        catalog.Reload(Folder(Path.GetDirectoryName(folder)!), Path.GetFileName(folder));
}
