using Automation.Core.Coupons;

namespace Automation.Core.Storage;

/// <summary>Coupon codes handled outside journeys: the shop's codes imported into a campaign.</summary>
public interface ICouponStore
{
    /// <summary>
    /// Adds <paramref name="codes"/> to <paramref name="campaign"/> as codes waiting to be issued, all in one
    /// transaction: a code that exists already, in this campaign or another, is left as it is and listed in the
    /// answer. Concurrent imports of the same code add it once. The codes must be checked (<see cref="ImportedCodes"/>)
    /// and the campaign one that imports its codes.
    /// </summary>
    Task<CouponImport> ImportCodesAsync(string campaign, IReadOnlyCollection<string> codes, DateTimeOffset at, CancellationToken cancellationToken);
}
