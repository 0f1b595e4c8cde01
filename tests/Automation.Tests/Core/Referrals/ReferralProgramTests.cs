using System.Text;
using Automation.Core.Referrals;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Referrals;

public sealed class ReferralProgramTests
{
    [Test]
    public void A_code_is_stable_read_back_whatever_its_case_and_cannot_be_made_up()
    {
        var codes = new ReferralCodes(new byte[32]);
        var code = codes.CodeFor(1234);
        code.Should().Be(codes.CodeFor(1234)).And.MatchRegex("^[2-9A-HJKMNP-Z]+-[2-9A-HJKMNP-Z]{10}$");
        codes.Read(code).Should().Be(1234);
        codes.Read($"  {code.ToLowerInvariant()} ").Should().Be(1234);
        codes.Read(codes.CodeFor(1235)).Should().Be(1235);
        codes.Read(code.Split('-')[0] + "-" + codes.CodeFor(1235).Split('-')[1]).Should().BeNull();
        new ReferralCodes(Enumerable.Repeat((byte)7, 32).ToArray()).Read(code).Should().BeNull();
        codes.Read("").Should().BeNull();
        codes.Read("ZZZZZZZZZZZZZZ-2222222222").Should().BeNull();
    }

    [Test]
    public void The_shipped_program_rewards_500_points_after_14_days_and_a_bad_file_names_each_problem()
    {
        var file = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "referrals.json");
        var (program, problems) = ReferralFileReader.Read(file, File.ReadAllBytes(file), _ => true);
        problems.Should().BeEmpty();
        (program!.RefundWindowDays, program.RewardPoints, program.LinkFor("AB-CD")).Should().Be((14, 500, "https://shop.example.com/?ref=AB-CD"));

        var (bad, reported) = ReferralFileReader.Read("rules/referrals.json", Encoding.UTF8.GetBytes("""
            {
              "Link": "shop.example",
              "RefundWindowDays": -1,
              "Reward": { "Points": 5, "Coupon": "nope" }
            }
            """), name => name != "nope");
        bad.Should().BeNull();
        reported.Select(p => p.ToString()).Should().Equal(
            "rules/referrals.json:2: Link: must be an http(s) address of the shop with {code} where the referral code goes, such as https://shop.example/?ref={code}",
            "rules/referrals.json:3: RefundWindowDays: is required: whole days from 0 to 365 a first order must stay unrefunded before the referrer is rewarded",
            "rules/referrals.json:4: Reward: must give exactly one of Points and Coupon",
            "rules/referrals.json:4: Reward.Coupon: no coupon campaign 'nope' in rules/coupons/");
    }
}
