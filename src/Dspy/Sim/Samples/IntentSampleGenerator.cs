namespace Dspy;

/// <summary>
/// Generates the bundled intent-classification task (banking and travel assistant, 24 intents). Each intent has
/// several characteristic phrases (only some contain the intent's own words), wrapped in shared openers, closers and
/// distractor clauses that mention other intents' words. About one example in ten uses only a vague phrase shared
/// by a group of intents, so it is ambiguous without the signal. Deterministic for a seed.
/// </summary>
internal static class IntentSampleGenerator
{
    private static readonly (string Label, string[] Phrases)[] Intents =
    [
        ("check_balance", ["how much money is in my {acct}", "what's my current balance", "show me the funds available in my {acct}", "do I have enough left in my {acct} to cover rent", "check the balance on my {acct}"]),
        ("transfer_money", ["send {amount} to {person}", "move {amount} from savings to checking", "wire {amount} to my {relation}", "transfer {amount} to {person}", "put {amount} into {person}'s account"]),
        ("pay_bill", ["pay my {utility} bill", "settle the {utility} invoice", "my {utility} payment is due", "set up autopay for the {utility}", "cover the {utility} statement before the due date"]),
        ("report_lost_card", ["I lost my {card}", "my wallet was stolen with my {card} in it", "I can't find my {card} anywhere", "freeze my {card} because it's missing", "someone took my {card}"]),
        ("activate_card", ["activate my new {card}", "the {card} that arrived in the mail needs to be turned on", "start using the replacement {card} I received", "enable the {card} that just came", "switch on my new plastic"]),
        ("change_pin", ["change my pin", "reset the four digit code on my {card}", "I forgot my pin number", "set a new secret number for the ATM", "update my passcode for cash withdrawals"]),
        ("dispute_charge", ["there's a charge I don't recognize", "dispute a transaction of {amount}", "I was billed twice by {merchant}", "{merchant} charged me {amount} for something I never bought", "get my money back from a fraudulent purchase"]),
        ("open_account", ["open a new {acct}", "sign up for a {acct}", "start a {acct} with you", "become a customer and get a {acct}", "apply for a {acct}"]),
        ("close_account", ["close my {acct}", "shut down my {acct} for good", "terminate the {acct}", "I want to stop banking with you", "cancel my {acct} membership"]),
        ("loan_inquiry", ["borrow {amount} for a {loanitem}", "what are the rates on a {loanitem} loan", "apply for a mortgage", "can I get financing for a {loanitem}", "qualify for a personal loan"]),
        ("exchange_rate", ["how many euros do I get for {amount}", "what's the conversion rate from dollars to {currency}", "the exchange rate for {currency} today", "convert {amount} into {currency}", "how much is the {currency} worth right now"]),
        ("book_flight", ["book a flight to {city}", "reserve a seat on a plane to {city}", "get me on the next plane to {city}", "I need airline tickets to {city} {date}", "find me a nonstop to {city}"]),
        ("cancel_flight", ["cancel my flight to {city}", "I won't be flying to {city} anymore", "scrap the plane trip to {city}", "call off my trip to {city} and refund the ticket", "I no longer need my seat to {city}"]),
        ("change_flight", ["move my flight to {date}", "reschedule my departure to {city}", "switch to a later plane {date}", "can I fly out {date} instead", "rebook me on an earlier departure"]),
        ("flight_status", ["is my flight to {city} delayed", "what time does flight {flightno} land", "has {flightno} departed yet", "is the plane to {city} on time", "which gate does {flightno} leave from"]),
        ("book_hotel", ["book a hotel in {city}", "reserve a room in {city} {date}", "find me somewhere to stay in {city}", "I need accommodation near downtown {city}", "get me two nights at an inn in {city}"]),
        ("cancel_hotel", ["cancel my hotel reservation in {city}", "I don't need the room in {city} anymore", "call off my stay in {city}", "drop the lodging booking for {date}", "release the suite I reserved in {city}"]),
        ("baggage_policy", ["how many bags can I bring", "what's the weight limit for checked luggage", "can I carry a {item} on board", "is there a fee for a second suitcase", "what is the baggage allowance for international trips"]),
        ("rent_car", ["rent a car in {city}", "I need a vehicle when I land in {city}", "reserve an suv for pickup at the airport", "hire a convertible {date}", "get me wheels to drive around {city}"]),
        ("travel_insurance", ["buy travel insurance for my trip to {city}", "am I covered if my trip gets cancelled", "add a protection plan for medical emergencies abroad", "does my policy include trip interruption", "get coverage for my vacation to {city}"]),
        ("visa_requirements", ["do I need a visa for {country}", "what documents are required to enter {country}", "what are the entry requirements for {country}", "how do I apply for a permit to visit {country}", "is my passport enough to get into {country}"]),
        ("check_in", ["check in for my flight {flightno}", "get my boarding pass", "can I do online check-in for {flightno}", "print the boarding pass for tomorrow", "when does the counter open for {flightno}"]),
        ("seat_upgrade", ["upgrade my seat to business class", "move me to first class on {flightno}", "can I get more legroom", "use my miles for a better cabin", "switch me to premium economy on my trip to {city}"]),
        ("lost_luggage", ["my suitcase never arrived", "the airline lost my bag", "my luggage didn't show up at the carousel in {city}", "track my missing bags from {flightno}", "one of my checked bags is gone"]),
    ];

    /// <summary>Vague phrases shared by a group of intents: without a signal phrase these are ambiguous.</summary>
    private static readonly (string[] Labels, string[] Phrases)[] Vague =
    [
        (["report_lost_card", "activate_card", "change_pin", "dispute_charge"], ["I have a problem with my {card}", "something is off with my {card}"]),
        (["check_balance", "open_account", "close_account", "transfer_money"], ["I have a question about my {acct}", "I need help with my {acct}"]),
        (["book_flight", "cancel_flight", "change_flight", "flight_status", "check_in", "seat_upgrade"], ["it's about my flight to {city}", "I need help with my upcoming flight"]),
        (["book_hotel", "cancel_hotel"], ["it's about a hotel in {city}", "I have a question about my stay in {city}"]),
        (["baggage_policy", "lost_luggage"], ["it's about my bags", "I have a luggage question"]),
    ];

    private static readonly string[] Openers = ["", "", "", "hi, ", "hello, ", "hey there, ", "good morning. ", "quick question: ", "please ", "can you help me? ", "excuse me, "];
    private static readonly string[] Closers = ["", "", "", " thanks", " please", " asap", " thank you!", " if possible", " today"];
    private static readonly string[] Distractors =
    [
        ", my balance is fine though", ", this is not about my card", " - my hotel is already sorted", " (I already paid the bill)",
        ", the flight itself was great", ", I used the app before", ", my friend recommended you", ", no need to transfer anything",
        " - the car rental went well last time", ", my pin works fine",
    ];

    private static readonly Dictionary<string, string[]> Slots = new(StringComparer.Ordinal)
    {
        ["acct"] = ["checking account", "savings account", "joint account", "main account", "business account"],
        ["amount"] = ["$50", "$120", "200 dollars", "$75", "$1,000", "300 euros", "$45"],
        ["person"] = ["Maria", "my landlord", "John", "my sister", "Priya", "Tom"],
        ["relation"] = ["mom", "brother", "roommate", "son", "cousin"],
        ["utility"] = ["electricity", "water", "internet", "phone", "gas"],
        ["card"] = ["debit card", "credit card", "visa card", "bank card"],
        ["merchant"] = ["Amazon", "a gas station", "Netflix", "an online store", "Uber"],
        ["loanitem"] = ["car", "home renovation", "boat", "small business", "wedding"],
        ["currency"] = ["yen", "pounds", "pesos", "euros", "francs"],
        ["city"] = ["Paris", "Tokyo", "Chicago", "Berlin", "Lisbon", "Denver", "Rome", "Boston"],
        ["date"] = ["on Friday", "next Monday", "on June 3rd", "this weekend", "on the 14th"],
        ["flightno"] = ["UA 212", "flight 88", "AF 1130", "DL 47", "BA 9"],
        ["item"] = ["guitar", "stroller", "laptop bag", "surfboard", "backpack"],
        ["country"] = ["Japan", "Brazil", "India", "Canada", "Kenya", "Vietnam"],
    };

    /// <summary>All labels, in a fixed order.</summary>
    public static IReadOnlyList<string> Labels { get; } = Intents.Select(i => i.Label).ToArray();

    /// <summary>Generates <paramref name="perLabel"/> examples per intent, shuffled.</summary>
    public static List<(string Text, string Label)> Generate(int seed, int perLabel)
    {
        var rng = new SimRandom((ulong)seed);
        var rows = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, phrases) in Intents)
        {
            var made = 0;
            for (var attempt = 0; made < perLabel && attempt < perLabel * 50; attempt++)
            {
                string core;
                if (rng.Chance(0.1) && Vague.FirstOrDefault(v => v.Labels.Contains(label)) is { Phrases: not null } group)
                {
                    core = rng.Pick(group.Phrases);
                }
                else
                {
                    core = rng.Pick(phrases);
                }
                var text = rng.Pick(Openers) + Fill(core, rng) + (rng.Chance(0.3) ? rng.Pick(Distractors) : "") + rng.Pick(Closers);
                text = text.Trim();
                if (rng.Chance(0.5)) text = char.ToUpperInvariant(text[0]) + text[1..];
                if (!seen.Add(text)) continue;
                rows.Add((text, label));
                made++;
            }
        }
        rng.Shuffle(rows);
        return rows;
    }

    private static string Fill(string template, SimRandom rng)
    {
        var result = template;
        foreach (var (slot, values) in Slots)
        {
            var token = "{" + slot + "}";
            while (result.Contains(token, StringComparison.Ordinal))
            {
                var at = result.IndexOf(token, StringComparison.Ordinal);
                result = string.Concat(result.AsSpan(0, at), rng.Pick(values), result.AsSpan(at + token.Length));
            }
        }
        return result;
    }
}
