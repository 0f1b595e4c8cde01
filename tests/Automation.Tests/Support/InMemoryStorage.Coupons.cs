using Automation.Core.Coupons;
using Automation.Core.Storage;

namespace Automation.Tests.Support;

// Imported codes, with the rules of AutomationStorage.Coupons.cs: a code that exists is left as it is.
internal sealed partial class InMemoryStorage : ICouponStore
{
    public async Task<CouponImport> ImportCodesAsync(string campaign, IReadOnlyCollection<string> codes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var tables = _committed;
            var rows = tables.CouponCodes;
            var added = 0;
            var existing = new List<ExistingCode>();
            foreach (var code in codes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (rows.TryGetValue(code, out var row)) existing.Add(new ExistingCode(code, row.Campaign));
                else
                {
                    rows = rows.Add(code, new CouponCodeRow(code, campaign, null, null, null));
                    added++;
                }
            }
            _committed = tables with { CouponCodes = rows };
            return new CouponImport(campaign, codes.Count, added, existing);
        }
        finally
        {
            _writer.Release();
        }
    }
}
