using Automation.Core.Draws;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Presales;
using Automation.Core.Products;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.Options;
using Quartz;

namespace Automation.Server.Hosting;

/// <summary>Journeys: the catalog and its reloader, the engine, and the Quartz job that ticks the scheduler.</summary>
internal static class JourneyServices
{
    public static void AddJourneys(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section).ValidateOnStart();
        services.AddOptions<TemplatesOptions>().BindConfiguration(TemplatesOptions.Section);
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RulesOptions>, JourneySettingsValidator>();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, JourneySettingsValidator>();

        services.AddSingleton<ICronSchedule, QuartzCronSchedule>();
        services.AddOptions<ContentOptions>().BindConfiguration(ContentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ContentOptions>, ContentOptionsValidator>();
        var fromDatabase = (builder.Configuration.GetSection(ContentOptions.Section).Get<ContentOptions>() ?? new ContentOptions()).FromDatabase;
        if (fromDatabase) services.AddSingleton<PublishedContent>();
        services.AddSingleton(sp => JourneyFiles.From(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>().ContentRootPath, sp.GetRequiredService<ICronSchedule>(),
            sp.GetService<PublishedContent>()));
        services.AddSingleton(sp => sp.GetRequiredService<JourneyFiles>().Coupons);
        services.AddSingleton<JourneyCatalog>();
        services.AddSingleton(sp => new TagCatalog(sp.GetRequiredService<JourneyFiles>().ReadOptions.Limits));
        services.AddSingleton<TagEngine>();
        services.AddSingleton<TagRefresher>();
        services.AddSingleton<TierCatalog>();
        services.AddSingleton<TierEngine>();
        services.AddSingleton<TierReviewer>();
        services.AddOptions<PointsSettings>().BindConfiguration(PointsSettingsValidator.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PointsSettings>, PointsSettingsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PointsSettings>>().Value);
        services.AddSingleton<PointsExpirer>();
        services.AddOptions<AnalyticsSettings>().BindConfiguration(AnalyticsSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnalyticsSettings>, AnalyticsSettingsValidator>();
        services.AddOptions<ReplenishmentSettings>().BindConfiguration(ReplenishmentSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplenishmentSettings>, ReplenishmentSettingsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ReplenishmentSettings>>().Value);
        services.AddSingleton<ReplenishmentReminders>();
        services.AddSingleton<DrawCatalog>();
        services.AddSingleton<IDrawRandom, CryptoDrawRandom>();
        services.AddSingleton<DrawEntries>();
        services.AddSingleton<Core.Rewards.RewardCatalog>();
        services.AddSingleton<Core.Rewards.RewardRedemptions>();
        services.AddTeams();
        services.AddSingleton<PresaleCatalog>();
        services.AddSingleton<PresaleAnnouncer>();
        services.AddSingleton<Core.Broadcasts.BroadcastSender>();
        services.AddOptions<SegmentOptions>().BindConfiguration(SegmentOptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<JourneyFiles>().Segments);
        services.AddSingleton<Core.Segments.SegmentMembers>();
        services.AddSingleton<SegmentCounts>();
        services.AddSingleton<JourneyEngine>();
        services.AddSingleton<JourneyScheduler>();
        services.AddSingleton<Tools.ContentPublisher>();
        // The published version is loaded before the reloader first reads the folders.
        if (fromDatabase) services.AddHostedService<PublishedContentService>();
        services.AddHostedService<JourneyReloader>();

        var scheduler = builder.Configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        // With bad settings start-up stops at validation; Quartz is not worth configuring then.
        if (!scheduler.Enabled || scheduler.TickSeconds < 1 || (storage.Provider == StorageOptions.Postgres && string.IsNullOrWhiteSpace(storage.ConnectionString)))
            return;

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = "automation";
                options.GenerateInstanceId = true;
            });
            quartz.AddJobListener<JobMetricsListener>();
            quartz.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer(_ => { });
                if (storage.Provider == StorageOptions.Postgres)
                {
                    store.UsePostgres(storage.ConnectionString!);
                    store.UseClustering();
                }
                else
                {
                    store.UseSqlite(SqliteStorage.ResolveConnectionString(storage.ConnectionString, builder.Environment.ContentRootPath));
                }
                store.ProvisionSchema();
            });
            quartz.AddJob<JourneyTickJob>(job => job.WithIdentity(JourneyTickJob.Key).StoreDurably());
            quartz.AddJob<TagRefreshJob>(job => job.WithIdentity(TagRefreshJob.Key).StoreDurably());
            quartz.AddJob<PointsExpiryJob>(job => job.WithIdentity(PointsExpiryJob.Key).StoreDurably());
            quartz.AddJob<TierReviewJob>(job => job.WithIdentity(TierReviewJob.Key).StoreDurably());
            quartz.AddJob<TeamExpiryJob>(job => job.WithIdentity(TeamExpiryJob.Key).StoreDurably());
            quartz.AddJob<ReferralRewardJob>(job => job.WithIdentity(ReferralRewardJob.Key).StoreDurably());
            quartz.AddJob<PresaleAnnounceJob>(job => job.WithIdentity(PresaleAnnounceJob.Key).StoreDurably());
            // Missed runs are not replayed: each run announces every window open at that moment.
            quartz.AddTrigger<PresaleAnnounceJob>(trigger => trigger.ForJob(PresaleAnnounceJob.Key).WithIdentity("presale-announce", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddJob<BroadcastJob>(job => job.WithIdentity(BroadcastJob.Key).StoreDurably());
            quartz.AddTrigger<BroadcastJob>(trigger => trigger.ForJob(BroadcastJob.Key).WithIdentity("broadcasts", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddJob<ReplenishmentJob>(job => job.WithIdentity(ReplenishmentJob.Key).StoreDurably());
            quartz.AddTrigger<ReplenishmentJob>(trigger => trigger.ForJob(ReplenishmentJob.Key).WithIdentity("replenishment", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddTrigger<ReferralRewardJob>(trigger => trigger.ForJob(ReferralRewardJob.Key).WithIdentity("referral-rewards", "automation")
                .WithSchedule(CronScheduleBuilder.Create(scheduler.TagRefreshCron).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            quartz.AddTrigger<TeamExpiryJob>(trigger => trigger.ForJob(TeamExpiryJob.Key).WithIdentity("team-expiry", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            // Tiers are reviewed on UTC dates whatever the server's zone, so every node agrees on the period.
            quartz.AddTrigger<TierReviewJob>(trigger => trigger.ForJob(TierReviewJob.Key).WithIdentity("tier-review", "automation")
                .WithSchedule(CronScheduleBuilder.Create(scheduler.TierReviewCron).InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            quartz.AddTrigger<PointsExpiryJob>(trigger => trigger.ForJob(PointsExpiryJob.Key).WithIdentity("points-expiry", "automation")
                .WithSchedule(CronScheduleBuilder.Create(scheduler.TagRefreshCron).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            // A missed daily refresh runs once when the server is back.
            quartz.AddTrigger<TagRefreshJob>(trigger => trigger.ForJob(TagRefreshJob.Key).WithIdentity("tag-refresh", "automation")
                .WithSchedule(CronScheduleBuilder.Create(scheduler.TagRefreshCron).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            // Missed ticks are not replayed: each tick catches up on its own (schedules run their latest occurrence once).
            quartz.AddTrigger<JourneyTickJob>(trigger => trigger.ForJob(JourneyTickJob.Key).WithIdentity("journey-tick", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }
}
