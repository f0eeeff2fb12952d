"""Behaviour cases, one table per rule of LABELS.md (CheckList-style minimum
functionality). Written fresh for the tests — not copied from data/ — so they
check the rules on wordings the model was not trained on."""

I, A, D = "interest", "ambiguous", "disinterest"

RULES: dict[str, list[tuple[str, str]]] = {
    "labels_basic": [
        ("I'm really excited about this role and I hope we can work together.", I),
        ("This position is exactly what I was hoping to find.", I),
        ("I'd be so happy to be part of your crew.", I),
        ("Okay, what's the process from here?", A),
        ("Thanks a lot for today, it was very informative.", A),
        ("After thinking it through, I'd like to withdraw my candidacy.", D),
        ("I've taken an offer from another employer.", D),
        ("To be honest, this role doesn't suit me.", D),
    ],
    "1_next_steps_not_interest": [
        ("So, what's the next step for me?", A),
        ("Is there anything more you need from my side?", A),
        ("How soon will I know the outcome?", A),
        ("Great! So who do I talk to next?", A),
        ("I'd love to move ahead with this — what comes next?", I),
        ("I'm very keen on this job, so when's the next interview?", I),
    ],
    "2_politeness_not_interest": [
        ("Thanks so much for taking the time to meet me.", A),
        ("It was great meeting all of you.", A),
        ("I look forward to hearing back from you.", A),
        ("Enjoy your weekend!", A),
        ("Your whole team seems fantastic.", A),
        ("Your team seems fantastic and I'd love to be one of them.", I),
    ],
    "3_final_stance_wins": [
        ("I was pretty excited when I applied, but the hours mean it's not for me.", D),
        ("I had my doubts going in, but honestly now I really want this.", I),
        ("I liked it at first, but I've decided to pass.", D),
        ("The salary worried me a little, but I'm definitely still interested.", I),
    ],
    "4_negation_and_scope": [
        ("I'm not interested in the role.", D),
        ("I'm not just here for the pay, I genuinely love what you do and want to join.", I),
        ("I could not be more excited about this.", I),
        ("Nothing would make me happier than working here.", I),
        ("I'm not sure this job is a good fit for me.", D),
        ("I'm not sure yet, give me a few days.", A),
        ("I don't want this position.", D),
        ("I can't wait to get started with you.", I),
    ],
    "5_conditional_or_hedged": [
        ("I'd be interested if the pay is right.", A),
        ("Maybe, it could work out.", A),
        ("I guess I might enjoy it.", A),
        ("If you can offer remote days, I'd consider it.", A),
        ("It depends on the benefits package.", A),
    ],
    "6_other_offers": [
        ("I've got a couple of other interviews lined up.", A),
        ("I've decided to accept the other offer I had.", D),
        ("I have another offer, but this role is the one I really want.", I),
        ("I prefer the other company's offer, honestly.", D),
        ("I'm also talking to another company right now.", A),
    ],
    "7_sarcasm": [
        ("Oh wonderful, mandatory overtime every weekend. Can't wait. Not for me.", D),
        ("Wow, a pay cut and a longer commute, what a deal. I'll pass.", D),
    ],
    "9_acceptance_idioms": [
        ("Where do I sign up?", I),
        ("Sign me up, seriously.", I),
        ("Count me in!", I),
        ("If you offer me the job, I'll happily accept.", I),
        ("When could I start?", A),
    ],
    "10_fit_and_qualification": [
        ("This is the right fit for me.", I),
        ("It's exactly what I've been looking for.", I),
        ("I'm confident I could do this job really well.", A),
        ("I think I'm the strongest candidate you'll see.", A),
        ("I'm very impressed with your company.", A),
    ],
    "11_leaning": [
        ("I'm leaning toward a yes, but I need to see the details.", A),
        ("I think I'm probably going to pass.", D),
        ("I think it's going to be a no from me.", D),
    ],
    "12_interest_then_time": [
        ("I really want this job; I'll just need a day to read the contract.", I),
        ("I'm not sure yet, I need to think about it.", A),
    ],
    "13_complaints_and_goodbyes": [
        ("The commute is pretty long.", A),
        ("At that salary I just can't make it work.", D),
        ("Good luck finding the right person.", D),
        ("Take care, have a good one.", A),
    ],
    "14_this_role_not_a_career": [
        ("I love teaching.", A),
        ("I've always loved working in kitchens.", A),
        ("I love teaching and I'd love to teach here.", I),
    ],
    "16_speech_as_transcribed": [
        ("um yeah i'm really excited about the the job", I),
        ("uh so what are the next steps", A),
        ("yeah i i don't think this is for me", D),
        ("um i'd love to uh move forward", I),
        ("uh i accepted another offer last week", D),
        ("thanks for your time um have a good one", A),
    ],
    # how real people close (issue: real-world language); written for the tests
    "real_soft_long_declines": [
        ("Thanks again for the tour and for lunch with the team, it was a lovely afternoon. I've thought about it all weekend, and I'm going to stay where I am for now.", D),
        ("I really enjoyed meeting everyone and I can see why people like working there. That said, after talking it through with my partner, I've decided this isn't the right move for me.", D),
        ("You've all been so kind and patient with me through three rounds. I hate to do this, but I'm withdrawing my application.", D),
        ("It was great to meet you, and the project sounds fascinating. Unfortunately another company made me an offer this morning and I've said yes to them.", D),
    ],
    "real_accepting": [
        ("Yes! I'll take it.", I),
        ('I accept — when do I start?', I),
        ('Consider this my acceptance; please send over the contract.', I),
        ("I'm in. Tell me where to sign.", I),
    ],
    "real_understatement_double_negation": [
        ("I can't say I'm not tempted to take it, I really want it.", I),
        ("I'm not unhappy where I am, so I'll leave it there, thanks.", D),
    ],
    "real_conditions_stay_ambiguous": [
        ("I'm in if the money's right.", A),
    ],
    "real_no_questions_is_not_a_decline": [
        ('Nope, no questions, you covered it all.', A),
        ('No, nothing from me, you were very thorough.', A),
        ('Not right now, thanks — I think you answered everything.', A),
        ('No questions. Thanks for your time today.', A),
    ],
    "real_reported_speech_and_narratives": [
        ('I told the manager before I left that this was my first choice.', I),
        ("At the end I said I'd love to join them and asked when I could start.", I),
        ("I walked out halfway through the second round; I knew it wasn't for me.", D),
        ("When the recruiter called back, I told her I'd taken a job elsewhere.", D),
        ("I thanked them and asked when I'd hear back.", A),
        ('I said I needed the weekend to think it over.', A),
    ],
    # what people did, told in the past tense (cancelled, refused, took it, signed, was done)
    "real_narrated_decisions": [
        ("I cancelled the second-round interview; the commute would have killed me.", D),
        ("When they rang with the offer, I refused it as politely as I could.", D),
        ("They called back with a better number and I turned that one down too.", D),
        ("I pulled my application the next morning.", D),
        ("By the end of the tour I was done with that place.", D),
        ("A second interview with them? Not happening.", D),
        ("She offered me the post and I took the job on the spot.", I),
        ("I said yes to the job before she'd finished asking.", I),
        ("I signed the offer letter and sent it straight back.", I),
        ("I really wanted that job, and I made sure they knew it.", I),
        ("If they make me an offer, I'm taking it.", I),
    ],
}

#: Cases of the same kinds that the shipped model still gets wrong. Each is a
#: strict expected failure in test_rules: it states the gap, and the suite
#: says so the day the model gets it right.
KNOWN_GAPS: dict[str, list[tuple[str, str]]] = {
    "real_soft_long_declines": [
        ("Thank you for everything. I was impressed by the lab and the people, but I've chosen a position nearer my family.", D),
    ],
    "real_accepting": [
        ("Honestly I don't need the weekend to think, the answer is yes.", I),
    ],
    "real_understatement_double_negation": [
        ("I wouldn't say no to an offer.", I),
        ("It's not as if I'd turn the job down.", I),
        ("There's no way I'd pass on a role like this.", I),
    ],
    "real_conditions_stay_ambiguous": [
        ("If you can do four days a week, I'd be happy to move forward.", A),
        ("I'd accept, provided the start date can wait until March.", A),
        ('As long as the relocation package covers the move, count me in.', A),
    ],
}

#: Sentences whose label must not change when fillers are added, the case is
#: lowered, or punctuation is removed (LABELS.md rule 16).
INVARIANCE = [
    ("I'm very excited about this position and I'd love to join.", I),
    ("What are the next steps after today?", A),
    ("Thanks for your time, I've decided to withdraw.", D),
    ("I'd need to talk it over with my family first.", A),
    ("I've accepted another offer, so I'll have to decline.", D),
    ("This is exactly the kind of job I want.", I),
    ("When should I expect to hear back?", A),
    ("I'm not interested in continuing, sorry.", D),
]
