using System.Xml.Linq;
using Automation.Core.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// Data Protection's key ring in the database (<see cref="IKeyRingStore"/>), so every node protects and reads console
/// cookies and antiforgery tokens with the same keys. Data Protection calls it synchronously, rarely: at start, when
/// its cached ring expires (daily) and when it adds or revokes a key.
/// </summary>
internal sealed class DatabaseXmlRepository(IKeyRingStore store, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. store.KeyRingElementsAsync(CancellationToken.None).GetAwaiter().GetResult().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        store.StoreKeyRingElementAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), clock.GetUtcNow(), CancellationToken.None)
            .GetAwaiter().GetResult();
}
