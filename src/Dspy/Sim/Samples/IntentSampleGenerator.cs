namespace Dspy;

/// <summary>
/// Generates the bundled intent-classification task (banking and travel assistant, 24 intents). Each intent has five
/// signal phrases that share one or two theme words (not the label's own words; about one phrase in five uses those),
/// wrapped in shared openers, closers and varied distractor clauses that mention other intents' words. About one example
/// in ten uses only a vague phrase shared by a group of intents, so it is ambiguous without the signal. Deterministic
/// for a seed.
/// </summary>
internal static class IntentSampleGenerator
{
    /// <summary>
    /// Per intent: its signal phrases. Most phrases of an intent share one or two theme words that are not the label's
    /// own words (e.g. "plane" and "tickets" for book_flight, "secret code" for change_pin), the way real requests for
    /// one intent share vocabulary; so one demo of an intent carries over to many other examples of it. About one
    /// phrase in five uses the label's own words, which is all a zero-knowledge reader can go on.
    /// </summary>
    private static readonly (string Label, string[] Phrases)[] Intents =
    [
        ("check_balance", ["how much in available funds is in my {acct}", "what available funds are in my {acct}", "show me the available funds on my {acct}", "do I have enough available funds to cover rent", "check the balance and available funds on my {acct}"]),
        ("transfer_money", ["send {amount} to {person}", "send {amount} from savings to checking", "send {amount} by wire to my {relation}", "send {amount} over to {person}'s account", "transfer and send {amount} to {person}"]),
        ("pay_bill", ["settle my {utility} monthly invoice", "my {utility} monthly invoice is due", "set up autopay for the {utility} monthly invoice", "cover the monthly invoice for {utility} before it is due", "pay my {utility} bill, the monthly invoice"]),
        ("report_lost_card", ["my {card} was stolen", "my wallet was stolen with my {card} in it", "my {card} is missing, I think it was stolen", "freeze my {card} because it was stolen", "I lost my {card}, it was stolen"]),
        ("activate_card", ["turn on the new {card} that arrived", "the new {card} that arrived in the mail needs switching on", "start using the replacement {card} that arrived", "enable the new plastic that arrived yesterday", "activate the new {card} that arrived"]),
        ("change_pin", ["reset the secret code on my {card}", "I forgot my secret code", "set a new secret code for the ATM", "update the secret code I use at the ATM", "change my pin, the secret code"]),
        ("dispute_charge", ["there's an unauthorized payment I don't recognize", "dispute an unauthorized payment of {amount}", "I was billed twice by {merchant}, an unauthorized payment", "{merchant} made an unauthorized payment of {amount}", "dispute the unauthorized charge from {merchant}"]),
        ("open_account", ["sign up for a {acct}", "sign up as a new customer", "let me sign up and get a {acct}", "apply to sign up for a {acct}", "open a new {acct}, let me sign up"]),
        ("close_account", ["shut down my {acct}", "shut down my {acct} permanently", "terminate and shut down the {acct}", "I want to shut down everything and stop banking with you", "close my {acct} permanently"]),
        ("loan_inquiry", ["borrow cash for a {loanitem}", "what are the rates to borrow cash for a {loanitem}", "can I borrow cash against a mortgage", "can I get financing to borrow cash for a {loanitem}", "a loan inquiry: can I borrow for a {loanitem}"]),
        ("exchange_rate", ["convert dollars into {currency}", "what do I get if I convert dollars to {currency}", "how many {currency} do I get if I convert dollars", "convert dollars to {currency} right now", "the exchange rate to convert dollars"]),
        ("book_flight", ["buy plane tickets to {city}", "reserve plane tickets to {city} for one", "get me plane tickets on the earliest option to {city}", "I need plane tickets to {city} {date}", "book a flight to {city}, plane tickets for two"]),
        ("cancel_flight", ["I won't be flying to {city}, refund my airfare", "refund my airfare to {city}", "call off my journey to {city} and refund my airfare", "I no longer need to go to {city}, refund my airfare", "cancel my flight to {city} and refund my airfare"]),
        ("change_flight", ["reschedule my departure to {date}", "reschedule my departure to {city}", "can I reschedule my departure to {date} instead", "rebook me and reschedule my departure earlier", "change my flight to a later departure"]),
        ("flight_status", ["is my flight to {city} running late", "is {flightno} running late", "has {flightno} departed yet or is it running late", "what's the status, is the arrival from {city} running late", "which gate for {flightno}, is it running late"]),
        ("book_hotel", ["reserve a room to stay in {city} {date}", "find me a room to stay in {city}", "I need a room to stay near downtown {city}", "get me a room to stay two nights in {city}", "book a hotel room in {city}"]),
        ("cancel_hotel", ["I don't need the lodging reservation in {city} anymore", "call off my lodging reservation in {city}", "drop the lodging reservation for {date}", "release the lodging reservation I made in {city}", "cancel my hotel reservation in {city}"]),
        ("baggage_policy", ["what's the bag allowance", "what's the weight of the bag allowance for checked suitcases", "can I carry a {item} on board within the bag allowance", "is there a fee beyond the free bag allowance for a second suitcase", "what is the baggage policy and bag allowance for international trips"]),
        ("rent_car", ["I need a vehicle to drive when I land in {city}", "reserve a vehicle to drive from the airport", "hire a vehicle to drive {date}", "get me a vehicle to drive around {city}", "rent a car in {city}"]),
        ("travel_insurance", ["do I have trip coverage if my vacation gets cancelled", "add trip coverage for medical emergencies abroad", "does my trip coverage include interruption", "get trip coverage for my vacation to {city}", "buy travel insurance for {city}"]),
        ("visa_requirements", ["what documents are required to enter {country}", "what do I need to enter {country} as a tourist", "how do I apply for a permit to enter {country}", "is my passport enough to enter {country}", "do I need a visa to enter {country}"]),
        ("check_in", ["get my boarding pass", "can I get the boarding pass online for {flightno}", "print the boarding pass for tomorrow", "when can I collect my boarding pass for {flightno}", "check in for {flightno} and get the boarding pass"]),
        ("seat_upgrade", ["move me to business class", "switch me to business class on {flightno}", "can I get more legroom in business class", "use my miles for business class", "upgrade my seat to business class"]),
        ("lost_luggage", ["my suitcase never came off the carousel", "the airline lost my suitcase at the carousel", "my luggage didn't show up at the carousel in {city}", "track my suitcase that never reached the carousel from {flightno}", "one of my checked suitcases is gone from the carousel"]),
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
    /// <summary>
    /// Clauses that mention another intent's words but not its request. Varied (and with slots) so that two examples
    /// rarely share a whole distractor clause.
    /// </summary>
    private static readonly string[] Distractors =
    [
        ", my balance is fine though", ", my {acct} balance looks right", ", this is not about my {card}", ", nothing is wrong with my {card}",
        " - my hotel is already sorted", " - the hotel in {city} is booked already", " (I already paid the bill)", " (the {utility} bill is paid)",
        ", the flight itself was great", ", my last flight to {city} was fine", ", I used the app before", ", I checked the app first",
        ", my friend recommended you", ", {person} recommended you", ", no need to transfer anything", ", I don't want to transfer money",
        " - the car rental went well last time", " - renting a car in {city} was easy", ", my pin works fine", ", I know my pin",
    ];

    private static readonly Dictionary<string, string[]> Slots = new(StringComparer.Ordinal)
    {
        ["acct"] = ["checking account", "savings account", "joint account", "main account", "student account"],
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
                var text = rng.Pick(Openers) + Fill(core, rng) + (rng.Chance(0.3) ? Fill(rng.Pick(Distractors), rng) : "") + rng.Pick(Closers);
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
