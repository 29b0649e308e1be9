import type { StanceLabel } from '../core/story';

/**
 * An invented news timeline for the offline demo. The outlets, headlines and wording are fiction written for
 * this project; the sequence loosely follows how the 2025 ceasefire story unfolded so the demo feels familiar.
 * Links point at subdomains of example.org (reserved for documentation), so nothing here resolves to a real site.
 */

export type DemoFeedFormat = 'rss' | 'atom';

export interface DemoOutlet {
  id: string;
  name: string;
  publisher: string;
  /** Primary language subtag, as the feed announces it. */
  language: string;
  format: DemoFeedFormat;
}

/**
 * - follow-up: about the tracked ceasefire effort.
 * - distractor: another conflict's ceasefire, war news without a talks angle, or unrelated news.
 * - hedged: speculation about a party's position that must not move its stance.
 */
export type DemoItemRole = 'follow-up' | 'distractor' | 'hedged';

export interface DemoItem {
  outlet: string;
  /** Unique slug inside the outlet; the guid and the link are derived from it. */
  slug: string;
  published: string;
  title: string;
  description: string;
  role: DemoItemRole;
}

export interface PlannedStanceChange {
  party: string;
  from: StanceLabel | null;
  to: StanceLabel;
  /** Slug of the item whose statement confirms the change. */
  causeSlug: string;
}

export interface DemoTimeline {
  storyId: string;
  outlets: DemoOutlet[];
  items: DemoItem[];
  /** Exactly the label changes the demo must produce, in order. */
  plannedChanges: PlannedStanceChange[];
}

export function demoItemGuid(item: Pick<DemoItem, 'outlet' | 'slug'>): string {
  return `urn:storywatch-demo:${item.outlet}:${item.slug}`;
}

export function demoItemLink(item: Pick<DemoItem, 'outlet' | 'slug' | 'published'>): string {
  const day = item.published.slice(0, 10).replaceAll('-', '/');
  return `https://${item.outlet}.example.org/${day}/${item.slug}`;
}

const outlets: DemoOutlet[] = [
  {
    id: 'northbridge-wire',
    name: 'Northbridge Wire — World',
    publisher: 'Northbridge Wire (invented news agency)',
    language: 'en',
    format: 'rss',
  },
  {
    id: 'harbour-chronicle',
    name: 'The Harbour Chronicle — International',
    publisher: 'Harbour Chronicle (invented newspaper)',
    language: 'en',
    format: 'atom',
  },
  {
    id: 'obzor-daily',
    name: 'Обзор Дня — Мир',
    publisher: 'Obzor Daily (invented Russian-language outlet)',
    language: 'ru',
    format: 'rss',
  },
  {
    id: 'vechirnii-kurier',
    name: 'Вечірній кур’єр — Новини',
    publisher: 'Vechirnii Kurier (invented Ukrainian-language outlet)',
    language: 'uk',
    format: 'rss',
  },
];

const items: DemoItem[] = [
  {
    outlet: 'northbridge-wire',
    slug: 'jeddah-talks-truce-offer',
    published: '2025-03-11T19:40:00Z',
    title: 'Kyiv accepts US plan for 30-day ceasefire after Jeddah meeting',
    description:
      'Ukrainian officials said Kyiv is ready to accept an immediate 30-day ceasefire put forward by Washington, and the United States said it would resume intelligence sharing and military aid.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'kremlin-studies-proposal',
    published: '2025-03-12T08:15:00Z',
    title: 'Moscow waits for details before answering the truce offer',
    description:
      'The Kremlin said it would study the US proposal for a 30-day ceasefire once American envoys briefed Russian officials on its details.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'gaza-doha-second-phase',
    published: '2025-03-12T10:05:00Z',
    title: 'Gaza ceasefire talks in Doha stall over second phase',
    description:
      'Mediators said Israel and Hamas remain far apart on the next stage of the Gaza ceasefire, while US envoy Steve Witkoff urged both sides to extend the truce.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'putin-conditions-monitoring',
    published: '2025-03-13T16:30:00Z',
    title: 'Putin backs truce idea but lists conditions on monitoring and rearmament',
    description:
      'President Vladimir Putin said Russia agrees with the idea of a ceasefire but wants guarantees that Ukraine will not use the pause to mobilise and rearm, asked who would monitor it and raised the fate of Ukrainian troops in the Kursk region.',
    role: 'follow-up',
  },
  {
    outlet: 'obzor-daily',
    slug: 'putin-peremirie-voprosy',
    published: '2025-03-13T18:05:00Z',
    title: 'Путин: идея прекращения огня правильная, но есть вопросы',
    description:
      'Президент России Владимир Путин заявил, что Москва поддерживает идею перемирия, но выдвинул условия: контроль за соблюдением режима тишины и гарантии.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'zelensky-accuses-stalling',
    published: '2025-03-14T09:10:00Z',
    title: 'Zelensky says Ukraine stands by the ceasefire it accepted in Jeddah',
    description:
      'Ukrainian President Volodymyr Zelensky said Kyiv backs the 30-day ceasefire and urged Washington to press Moscow, which he accused of dragging out the talks.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'refinery-fire-drone-debris',
    published: '2025-03-14T12:00:00Z',
    title: 'Drone debris starts fire at refinery in southern Russia',
    description:
      'Regional officials said wreckage from downed Ukrainian drones set a fuel tank alight at an oil refinery overnight; no injuries were reported.',
    role: 'distractor',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'starmer-coalition-backs-truce',
    published: '2025-03-15T13:20:00Z',
    title: 'Starmer says European coalition backs the 30-day ceasefire',
    description:
      'UK Prime Minister Keir Starmer said the coalition of the willing supports the 30-day ceasefire and is preparing plans to help secure any deal once the guns fall silent.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'eu-defence-borrowing-debate',
    published: '2025-03-16T15:45:00Z',
    title: 'EU finance ministers split on joint borrowing for defence',
    description:
      'Ministers meeting in Brussels discussed how to pay for a rapid rise in military spending but postponed any decision to a summit next month.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'trump-putin-call-energy',
    published: '2025-03-18T17:00:00Z',
    title: 'Trump still backs full ceasefire after long call with Putin',
    description:
      'President Donald Trump said the US supports a complete ceasefire, and the White House said technical talks on energy infrastructure and shipping in the Black Sea would follow the call.',
    role: 'follow-up',
  },
  {
    outlet: 'vechirnii-kurier',
    slug: 'zelenskyi-enerhetyka-pauza',
    published: '2025-03-19T11:30:00Z',
    title: 'Зеленський: Україна підтримує паузу в ударах по енергетиці',
    description:
      'Президент Володимир Зеленський заявив, що Київ підтримує припинення вогню щодо енергетичної інфраструктури та готовий до повного перемир’я.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'riyadh-black-sea-statements',
    published: '2025-03-25T18:40:00Z',
    title: 'Technical talks on Black Sea shipping end in Riyadh',
    description:
      'Delegations met American mediators separately over two days; the White House said details of any arrangement on safe navigation would be published later.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'kremlin-cooling-analysts',
    published: '2025-04-02T07:50:00Z',
    title: 'Kremlin may be cooling on truce, analysts suggest',
    description:
      'Western analysts say Russia appears to be losing interest in the ceasefire talks and may reject the next proposal, though no Russian official has said so.',
    role: 'hedged',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'kryvyi-rih-missile-strike',
    published: '2025-04-04T20:15:00Z',
    title: 'Missile strike on Kryvyi Rih kills civilians',
    description:
      'A Russian ballistic missile hit a residential district of the central Ukrainian city; regional authorities said children were among the dead.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'witkoff-st-petersburg-meeting',
    published: '2025-04-11T21:00:00Z',
    title: 'Witkoff meets Putin in St Petersburg on ending the war',
    description:
      'US envoy Steve Witkoff held more than four hours of talks with Vladimir Putin on a possible settlement of the war.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'peskov-rejects-energy-extension',
    published: '2025-04-17T10:20:00Z',
    title: 'Kremlin rejects extending energy truce as moratorium expires',
    description:
      'Kremlin spokesman Dmitry Peskov said Moscow rejects any extension of the moratorium on strikes against energy sites and will not agree to a wider ceasefire while Kyiv keeps attacking Russian facilities.',
    role: 'follow-up',
  },
  {
    outlet: 'obzor-daily',
    slug: 'peskov-moratorij-istek',
    published: '2025-04-17T14:00:00Z',
    title: 'Песков: Россия не будет продлевать энергетическое перемирие',
    description:
      'Официальный представитель Кремля Дмитрий Песков заявил, что Москва отвергает продление моратория на удары по энергетическим объектам.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'lavrov-root-causes',
    published: '2025-04-18T09:30:00Z',
    title: 'Lavrov rules out general ceasefire after energy pause lapses',
    description:
      'Russian Foreign Minister Sergei Lavrov said Moscow rejects a general ceasefire for now and that the fighting will continue.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'gaza-aid-crisis-un',
    published: '2025-04-21T12:10:00Z',
    title: 'UN warns of deepening crisis in Gaza after truce collapse',
    description:
      'Aid agencies said food stocks in Gaza are almost exhausted weeks after the ceasefire between Israel and Hamas broke down.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'trump-deadline-walk-away',
    published: '2025-04-27T16:45:00Z',
    title: 'Trump sets conditions for keeping the US behind the ceasefire push',
    description:
      'President Donald Trump said Washington’s support for a ceasefire now comes with conditions: Moscow and Kyiv must accept the US framework within days, or the United States will walk away.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'vance-say-yes-or-walk',
    published: '2025-04-29T08:35:00Z',
    title: 'Vance says US role in ceasefire talks hinges on both sides accepting its terms',
    description:
      'Vice President JD Vance insisted that the United States will stay involved in the ceasefire effort only if Russia and Ukraine accept its proposal soon.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'kashmir-strikes-escalate',
    published: '2025-05-08T06:30:00Z',
    title: 'India and Pakistan trade strikes as Kashmir crisis escalates',
    description:
      'Both militaries reported drone and artillery attacks along the Line of Control for a second night, raising fears of a wider war.',
    role: 'distractor',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'european-leaders-kyiv-visit',
    published: '2025-05-10T11:00:00Z',
    title: 'European leaders in Kyiv back a full 30-day ceasefire from Monday',
    description:
      'Leaders of France, Germany, the UK and Poland said Europe supports a complete 30-day ceasefire starting on Monday and warned Moscow of new sanctions if it refuses.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'india-pakistan-ceasefire-agreed',
    published: '2025-05-10T15:20:00Z',
    title: 'India and Pakistan agree to ceasefire after days of fighting',
    description:
      'Both governments confirmed a halt to military action along the Line of Control after US mediation; President Trump announced the truce on social media.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'putin-istanbul-offer',
    published: '2025-05-11T01:10:00Z',
    title: 'Putin offers Istanbul talks and dismisses European truce demand',
    description:
      'Vladimir Putin proposed direct negotiations with Kyiv in Istanbul and rejected the European call for a 30-day ceasefire, saying Moscow would not accept ultimatums.',
    role: 'follow-up',
  },
  {
    outlet: 'vechirnii-kurier',
    slug: 'zelenskyi-chekatyme-u-stambuli',
    published: '2025-05-12T09:00:00Z',
    title: 'Зеленський чекатиме на Путіна в Туреччині особисто',
    description:
      'Президент України заявив, що Київ підтримує повне припинення вогню з понеділка і що він особисто прибуде на переговори в Туреччину.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'istanbul-first-round-ends',
    published: '2025-05-16T17:30:00Z',
    title: 'First direct Russia–Ukraine talks in three years end with a prisoner swap deal',
    description:
      'The delegations meeting in Istanbul settled on an exchange of a thousand prisoners each and on keeping the talks going; the session lasted under two hours.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'vatican-offers-venue',
    published: '2025-05-20T10:40:00Z',
    title: 'Vatican offers to host next round of Russia–Ukraine peace talks',
    description:
      'The Holy See said it was willing to provide a venue for negotiations between the delegations, after a call between European leaders and the pope.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'airfields-drone-operation',
    published: '2025-06-01T19:25:00Z',
    title: 'Ukrainian drones hit bomber bases deep inside Russia',
    description:
      'Ukraine’s security service said it damaged dozens of long-range aircraft at airfields in Siberia and the Arctic in an operation prepared for more than a year.',
    role: 'distractor',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'istanbul-second-round-swap',
    published: '2025-06-02T18:00:00Z',
    title: 'Second Istanbul round yields deal to return fallen soldiers',
    description:
      'The delegations agreed to hand over the bodies of thousands of soldiers and to swap severely wounded prisoners; Kyiv said it would study a Russian memorandum.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'zelensky-guarantees-first',
    published: '2025-06-10T13:15:00Z',
    title: 'Zelensky sets security guarantees as the condition for a lasting truce',
    description:
      'President Volodymyr Zelensky insisted that Kyiv will accept a lasting ceasefire only once Western partners provide binding security guarantees and a monitoring mission is in place.',
    role: 'follow-up',
  },
  {
    outlet: 'vechirnii-kurier',
    slug: 'zelenskyi-harantii-bezpeky',
    published: '2025-06-11T08:20:00Z',
    title: 'Зеленський: тривале перемир’я можливе лише з гарантіями безпеки',
    description:
      'Президент України заявив, що Київ висуває умову: тривале припинення вогню можливе лише після отримання гарантій безпеки від партнерів.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'israel-iran-strikes-begin',
    published: '2025-06-13T04:50:00Z',
    title: 'Israel strikes Iranian nuclear sites, Tehran vows response',
    description:
      'Explosions were reported in several Iranian cities as Israel launched a wave of air strikes; President Trump urged Tehran to make a deal.',
    role: 'distractor',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'israel-iran-ceasefire-announced',
    published: '2025-06-24T06:30:00Z',
    title: 'Trump announces ceasefire between Israel and Iran',
    description:
      'The US president said both countries had agreed to a phased truce after twelve days of strikes, though each accused the other of early violations.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'macron-reassurance-force',
    published: '2025-06-25T14:00:00Z',
    title: 'Macron says Europe stands ready to secure a ceasefire in Ukraine',
    description:
      'French President Emmanuel Macron said European countries support a ceasefire and are ready to deploy a reassurance force once the fighting stops.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'trump-fifty-days-tariffs',
    published: '2025-07-14T18:10:00Z',
    title: 'Trump sets 50-day deadline for a ceasefire deal and threatens tariffs',
    description:
      'President Trump said he would impose secondary tariffs on buyers of Russian oil unless a ceasefire deal is reached within 50 days.',
    role: 'follow-up',
  },
  {
    outlet: 'obzor-daily',
    slug: 'stambul-tretij-raund',
    published: '2025-07-23T19:00:00Z',
    title: 'Третий раунд переговоров России и Украины в Стамбуле завершился за час',
    description:
      'Делегации договорились о новом обмене пленными, но по вопросу перемирия позиции сторон остаются далекими, сообщили журналистам участники встречи.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'thailand-cambodia-border-clash',
    published: '2025-07-24T10:05:00Z',
    title: 'Thailand and Cambodia exchange fire along disputed border',
    description:
      'Thai jets struck military targets after clashes near an ancient temple, and both countries recalled their ambassadors.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'thailand-cambodia-truce-malaysia',
    published: '2025-07-28T16:00:00Z',
    title: 'Thailand and Cambodia agree to unconditional ceasefire at Malaysia talks',
    description:
      'The two prime ministers agreed in Putrajaya to halt the border fighting from midnight, with Malaysia offering to monitor the truce.',
    role: 'distractor',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'alaska-summit-confirmed',
    published: '2025-08-08T22:30:00Z',
    title: 'White House confirms Trump–Putin summit in Alaska',
    description:
      'The leaders will meet in Anchorage next week to discuss ending the war in Ukraine, the White House and the Kremlin said.',
    role: 'follow-up',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'alaska-summit-no-deal',
    published: '2025-08-16T02:10:00Z',
    title: 'Alaska summit ends with no agreement on halting the fighting',
    description:
      'Donald Trump and Vladimir Putin met for nearly three hours in Anchorage, and the meeting ended with no announcement on the war in Ukraine.',
    role: 'follow-up',
  },
  {
    outlet: 'northbridge-wire',
    slug: 'white-house-european-leaders',
    published: '2025-08-18T20:00:00Z',
    title: 'European leaders join Zelensky at the White House',
    description:
      'Leaders of the UK, France, Germany, Italy and Finland accompanied the Ukrainian president to discuss security guarantees for a future settlement with Russia.',
    role: 'follow-up',
  },
  {
    outlet: 'obzor-daily',
    slug: 'gaza-novoe-peremirie',
    published: '2025-08-19T09:15:00Z',
    title: 'Израиль и ХАМАС обсуждают новое перемирие в Газе',
    description:
      'Египетские и катарские посредники передали сторонам новый план прекращения огня в секторе Газа, сообщили источники.',
    role: 'distractor',
  },
  {
    outlet: 'vechirnii-kurier',
    slug: 'kyiv-nichna-ataka-droniv',
    published: '2025-08-20T05:40:00Z',
    title: 'Нічна атака дронів на Київ: пошкоджено житлові будинки',
    description:
      'Уламки збитих дронів впали у двох районах столиці, повідомили у міській військовій адміністрації; постраждалих госпіталізовано.',
    role: 'distractor',
  },
  {
    outlet: 'harbour-chronicle',
    slug: 'spain-wildfires-evacuations',
    published: '2025-08-20T13:00:00Z',
    title: 'Wildfires force thousands to evacuate in southern Spain',
    description:
      'Firefighters battled blazes fanned by strong winds and record temperatures; several motorways were closed.',
    role: 'distractor',
  },
];

export const DEMO_TIMELINE: DemoTimeline = {
  storyId: 'ceasefire-2025',
  outlets,
  items,
  plannedChanges: [
    { party: 'europe', from: null, to: 'supports', causeSlug: 'starmer-coalition-backs-truce' },
    { party: 'russia', from: 'conditional', to: 'opposes', causeSlug: 'peskov-rejects-energy-extension' },
    { party: 'us', from: 'supports', to: 'conditional', causeSlug: 'trump-deadline-walk-away' },
    { party: 'ukraine', from: 'supports', to: 'conditional', causeSlug: 'zelensky-guarantees-first' },
  ],
};
