"""Name lists for the demo's participants and workplace contacts.

Nothing in the demo describes a real person. Names are combined at random
from these fixed lists of common first and last names.
"""

FEMALE_SWEDISH = (
    "Anna", "Maria", "Emma", "Sara", "Elin", "Julia", "Ida", "Hanna", "Linnea", "Johanna",
    "Frida", "Matilda", "Elsa", "Moa", "Wilma", "Amanda", "Emelie", "Josefin", "Malin",
    "Sofia", "Karin", "Lisa", "Jenny", "Camilla", "Therese", "Linda", "Petra", "Susanne",
    "Eva", "Kristina", "Maja", "Alva", "Klara", "Tove", "Ebba", "Nathalie", "Rebecka",
    "Ellen", "Louise", "Helena",
)  # fmt: skip
MALE_SWEDISH = (
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Oskar", "Viktor", "Jonas",
    "Filip", "Emil", "Alexander", "Anton", "Simon", "Marcus", "Andreas", "Daniel", "Fredrik",
    "Niklas", "Henrik", "Patrik", "Tobias", "Robin", "Sebastian", "Gustav", "Axel", "Ludvig",
    "Hugo", "Elias", "William", "Lucas", "Isak", "Joel", "Kevin", "Dennis", "Jimmy",
    "Mattias", "Peter", "Stefan",
)  # fmt: skip
FEMALE_INTERNATIONAL = (
    "Fatima", "Amina", "Hodan", "Sahra", "Ayaan", "Leila", "Maryam", "Zainab", "Yasmin",
    "Nour", "Hiba", "Rania", "Aisha", "Hawa", "Samira", "Shirin", "Parisa", "Zahra", "Elif",
    "Zeynep", "Merve", "Aleksandra", "Katarzyna", "Agnieszka", "Milica", "Jelena", "Mariam",
    "Helen", "Selam", "Senait", "Rahel", "Luam", "Dalia", "Noor", "Nadia", "Ines",
    "Gabriela", "Camila", "Valentina", "Tiina", "Priya", "Ayesha",
)  # fmt: skip
MALE_INTERNATIONAL = (
    "Mohamed", "Ahmed", "Ali", "Abdi", "Abdullahi", "Hassan", "Hussein", "Omar", "Yusuf",
    "Ibrahim", "Mustafa", "Khalid", "Samir", "Karim", "Amir", "Reza", "Mehdi", "Dariush",
    "Ahmad", "Bilal", "Emre", "Mehmet", "Murat", "Kemal", "Tomasz", "Piotr", "Marek",
    "Nikola", "Dragan", "Milan", "Yonas", "Dawit", "Samuel", "Tesfaye", "Filmon", "Carlos",
    "Diego", "Luis", "Mikko", "Jukka", "Arjun", "Imran",
)  # fmt: skip
LAST_SWEDISH = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind",
    "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson",
    "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
)  # fmt: skip
LAST_INTERNATIONAL = (
    "Mohamed", "Ali", "Ahmed", "Hassan", "Hussein", "Abdi", "Osman", "Yusuf", "Omar",
    "Ibrahim", "Abdullahi", "Warsame", "Farah", "Jama", "Said", "Khalil", "Haddad",
    "Mansour", "Saleh", "Aziz", "Rahimi", "Hosseini", "Karimi", "Ahmadi", "Mohammadi",
    "Rezaei", "Jafari", "Yilmaz", "Demir", "Kaya", "Öztürk", "Aydin", "Nowak", "Kowalczyk",
    "Lewandowski", "Petrović", "Jovanović", "Nikolić", "Tesfay", "Gebremedhin", "Haile",
    "Tekle", "Berhane", "Mekonnen", "Virtanen", "Korhonen", "Nieminen", "Rodríguez",
    "García", "López", "Khan", "Hussain", "Singh", "Nguyen", "Tran",
)  # fmt: skip
CONTACT_NAMES = (
    ("Annika", "Bergström"), ("Hans", "Lundberg"), ("Sofia", "Khalil"), ("Ulf", "Nyberg"),
    ("Marie", "Holmberg"), ("Jonas", "Wallin"), ("Nadia", "Haddad"), ("Björn", "Eklund"),
    ("Lena", "Sandström"), ("Goran", "Petrović"), ("Cecilia", "Norén"), ("Ola", "Hedlund"),
    ("Hiba", "Saleh"), ("Pia", "Åberg"), ("Rolf", "Strand"), ("Ingrid", "Lindahl"),
)  # fmt: skip
