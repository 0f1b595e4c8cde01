using System.Linq.Expressions;
using Automation.Core.Customers;

namespace Automation.Core.Journeys;

/// <summary>
/// Finds which parts of a customer snapshot a compiled expression reads, by walking its expression tree for the facts'
/// members it touches, so the scheduler can read a million customers' stats without their tags, ledgers and tiers. The
/// map follows <see cref="FactsBuilder"/>: a member it does not know, or a facts object used whole, reads every part
/// that object is built from.
/// </summary>
internal sealed class SnapshotPartsReader : ExpressionVisitor
{
    private static readonly Dictionary<string, SnapshotParts> CustomerMembers = new(StringComparer.Ordinal)
    {
        [nameof(CustomerFacts.Id)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Email)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Phone)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Name)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Timezone)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Locale)] = SnapshotParts.Profile,
        [nameof(CustomerFacts.Traits)] = SnapshotParts.Traits,
        [nameof(CustomerFacts.Trait)] = SnapshotParts.Traits,
        [nameof(CustomerFacts.DaysSinceLastEmailOpen)] = SnapshotParts.Traits,
        [nameof(CustomerFacts.Tier)] = SnapshotParts.Tier,
        [nameof(CustomerFacts.Perks)] = SnapshotParts.Tier,
        [nameof(CustomerFacts.Points)] = SnapshotParts.Points,
        [nameof(CustomerFacts.PointsExpiring)] = SnapshotParts.Points,
        [nameof(CustomerFacts.PointsExpiringInDays)] = SnapshotParts.Points,
        [nameof(CustomerFacts.CouponsHeld)] = SnapshotParts.Coupons,
        [nameof(CustomerFacts.CouponExpiringInDays)] = SnapshotParts.Coupons,
        [nameof(CustomerFacts.CouponExpiringHeldDays)] = SnapshotParts.Coupons,
        [nameof(CustomerFacts.EmailConsent)] = SnapshotParts.Suppressions,
        [nameof(CustomerFacts.SmsConsent)] = SnapshotParts.Suppressions,
        [nameof(CustomerFacts.Tags)] = SnapshotParts.Tags,
        [nameof(CustomerFacts.HasTag)] = SnapshotParts.Tags,
        [nameof(CustomerFacts.ReferredBy)] = SnapshotParts.Referrals,
        [nameof(CustomerFacts.Bought)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.BoughtCount)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.BoughtQuantity)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.DaysSinceBought)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.BoughtCategory)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.DaysSinceBoughtCategory)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.BoughtCategoryCount)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.BoughtCategoryQuantity)] = SnapshotParts.Purchases,
        [nameof(CustomerFacts.Viewed)] = SnapshotParts.Purchases,
    };

    private SnapshotParts _parts;

    /// <summary>The parts the expression reads; <see cref="SnapshotParts.Profile"/> when it reads nothing beyond the profile.</summary>
    public static SnapshotParts Read(Expression expression)
    {
        var reader = new SnapshotPartsReader();
        reader.Visit(expression);
        return reader._parts;
    }

    protected override Expression VisitMember(MemberExpression node)
    {
        if (node.Expression is ParameterExpression fact && Member(fact.Type, node.Member.Name) is { } parts)
        {
            _parts |= parts;
            return node;
        }
        return base.VisitMember(node);
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (node.Object is ParameterExpression fact && Member(fact.Type, node.Method.Name) is { } parts)
        {
            _parts |= parts;
            foreach (var argument in node.Arguments) Visit(argument);
            return node;
        }
        return base.VisitMethodCall(node);
    }

    protected override Expression VisitParameter(ParameterExpression node)
    {
        _parts |= Member(node.Type, member: null) ?? SnapshotParts.Profile;
        return node;
    }

    /// <summary>
    /// The parts a member of a facts object reads, or the object used whole (<paramref name="member"/> null); null when
    /// the type is not a facts type.
    /// </summary>
    private static SnapshotParts? Member(Type facts, string? member)
    {
        if (facts == typeof(CustomerFacts))
            return member is null ? SnapshotParts.All : CustomerMembers.GetValueOrDefault(member, SnapshotParts.All);
        if (facts == typeof(StatsFacts))
            return member switch
            {
                null => SnapshotParts.Stats | SnapshotParts.Rfm | SnapshotParts.Referrals,
                nameof(StatsFacts.Rfm) => SnapshotParts.Rfm,
                nameof(StatsFacts.Referrals) => SnapshotParts.Referrals,
                _ => SnapshotParts.Stats,
            };
        if (facts == typeof(CartFacts)) return SnapshotParts.Cart;
        // The event and the instance are not read from the snapshot; local time and birthdays come from the profile.
        if (facts == typeof(EventFacts) || facts == typeof(JourneyFacts) || facts == typeof(NowFacts)) return SnapshotParts.Profile;
        return null;
    }
}
